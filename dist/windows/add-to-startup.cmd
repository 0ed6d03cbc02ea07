@echo off
rem Makes the station start whenever this Windows user logs on: puts a small
rem starter into the user's Startup folder (shell:startup). No administrator
rem rights needed. To undo, delete passport-station.cmd from that folder.
setlocal
set "STARTUP=%APPDATA%\Microsoft\Windows\Start Menu\Programs\Startup"
if not exist "%STARTUP%" mkdir "%STARTUP%"
set "TARGET=%STARTUP%\passport-station.cmd"
echo @echo off> "%TARGET%"
echo start "passport station" /min cmd /c ""%~dp0start-station.cmd" /quiet">> "%TARGET%"
echo The station will start when you log on.
echo To stop that, delete: %TARGET%
if not "%~1"=="/quiet" pause
