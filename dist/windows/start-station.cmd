@echo off
rem Starts the passport verifier station and opens its page in the default
rem browser. The site's trust list is site.db in this folder (site guide,
rem step 4). Closing this window stops the station.
setlocal
set "HERE=%~dp0"
if not exist "%HERE%site.db" (
  echo The trust list site.db is not in this folder yet.
  echo See docs\site-guide.md, step 4: passport trust add or trust import.
  if not "%~1"=="/quiet" pause
  exit /b 3
)
title passport station
"%HERE%passport.exe" serve --db "%HERE%site.db" --open
if errorlevel 1 if not "%~1"=="/quiet" pause
