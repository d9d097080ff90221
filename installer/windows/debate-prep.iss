; Inno Setup script for Debate Prep on Windows (x64), from the spec's onedir output.
;
; Build (on Windows, in the repository root; see installer/ci/windows.yml):
;   py -3.11 scripts\build_installer.py          -> build\installer\pyi-dist\debate-prep\
;   iscc /DAppVersion=0.1.0 installer\windows\debate-prep.iss
;                                                 -> dist\debate-prep-0.1.0-windows-x64-setup.exe
; Installs per user by default (no administrator rights; the dialog offers all users),
; adds a Start-menu entry (and, if chosen, a desktop icon) for the windowed executable,
; and registers an uninstaller that removes exactly the installed files. The library in
; %LOCALAPPDATA%\debate-prep is the user's and is kept.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\build\installer\pyi-dist\debate-prep"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\installer\icons\debate-prep.ico"
#endif

[Setup]
AppId={{6C0F7A52-3E1B-4C55-9B0E-3A8F1D2C9E41}
AppName=Debate Prep
AppVersion={#AppVersion}
AppVerName=Debate Prep {#AppVersion}
AppPublisher=Debate Prep
DefaultDirName={autopf}\Debate Prep
DefaultGroupName=Debate Prep
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=debate-prep-{#AppVersion}-windows-x64-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\debate-prep-window.exe
UninstallDisplayName=Debate Prep
; the GGUF models hardly compress; lzma2 still shrinks Python and Qt
Compression=lzma2/normal
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Debate Prep"; Filename: "{app}\debate-prep-window.exe"; Comment: "Search your evidence and cut cards, offline"
Name: "{autodesktop}\Debate Prep"; Filename: "{app}\debate-prep-window.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\debate-prep-window.exe"; Description: "{cm:LaunchProgram,Debate Prep}"; Flags: nowait postinstall skipifsilent
