@echo off
rem Starts the passport verifier station and opens its page in the default
rem browser. The site's trust list is site.db in this folder (site guide,
rem step 4), and the site policy is named in policy-name.txt (one of the
rem trust list's policies, step 4) or given as site-policy.json (a local
rem file): without one, every genuine passport would be accepted whatever
rem it lacks, so the station does not start. Closing this window stops it.
setlocal
set "HERE=%~dp0"
if not exist "%HERE%site.db" (
  echo The trust list site.db is not in this folder yet.
  echo See docs\site-guide.md, step 4: passport trust add or trust import.
  if not "%~1"=="/quiet" pause
  exit /b 3
)
set "POLICYNAME="
if exist "%HERE%policy-name.txt" (
  for /f "usebackq tokens=1" %%n in ("%HERE%policy-name.txt") do if not defined POLICYNAME set "POLICYNAME=%%n"
)
title passport station
if defined POLICYNAME (
  "%HERE%passport.exe" serve --db "%HERE%site.db" --policy-name "%POLICYNAME%" --open
) else if exist "%HERE%site-policy.json" (
  "%HERE%passport.exe" serve --db "%HERE%site.db" --policy "%HERE%site-policy.json" --open
) else (
  echo No site policy is set for this station.
  echo See docs\site-guide.md, step 4: passport policy list --db site.db shows the
  echo policies of your trust list; write the name your coordinator gives into
  echo policy-name.txt in this folder, e.g.: echo ward-nurse^>policy-name.txt
  if not "%~1"=="/quiet" pause
  exit /b 3
)
if errorlevel 1 if not "%~1"=="/quiet" pause
