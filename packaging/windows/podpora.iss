; Inno Setup 6 script for Podpora on Windows (NOT built on the Linux build machines; see docs/install.md).
;
; Input: the PyInstaller one-folder bundle from `pyinstaller packaging\podpora.spec` run on Windows
; (dist\podpora\ with podpora.exe, podpora-console.exe, podpora-assist.exe and _internal\).
; Build:  iscc /DAppVersion=0.1.0 packaging\windows\podpora.iss      -> dist\podpora-0.1.0-setup.exe
;
; Two kinds of installation from one installer:
;   * technicians: Start-menu entries for "Podpora Console" and "Podpora Get Help";
;   * organisation roll-out (silent):  podpora-0.1.0-setup.exe /VERYSILENT /COMPONENTS=assist
;       /ORGCONFIG=\\server\share\assist.toml
;     copies the organisation's assist.toml to %ProgramData%\Podpora\assist.toml with an ACL that lets
;     only Administrators change it (the app refuses to trust a file ordinary users could edit).
; Uninstall removes the program folder and shortcuts; user data under %APPDATA%\podpora and the
; organisation's %ProgramData%\Podpora\assist.toml stay.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define SourceDir "..\..\dist\podpora"

[Setup]
AppId={{6C1E6F5B-3D0B-4E55-9A3C-0D5F2C9B7A11}
AppName=Podpora
AppVersion={#AppVersion}
AppPublisher=Podpora developers
AppPublisherURL=https://example.org/podpora
DefaultDirName={autopf}\Podpora
DefaultGroupName=Podpora
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=podpora-{#AppVersion}-setup
SetupIconFile=..\..\build\packaging\icons\org.podpora.Console.ico
UninstallDisplayIcon={app}\podpora-console.exe
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
WizardStyle=modern

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "cs"; MessagesFile: "compiler:Languages\Czech.isl"
Name: "sk"; MessagesFile: "compiler:Languages\Slovak.isl"

[Types]
Name: "full"; Description: "Technician (console and Get Help)"
Name: "assist"; Description: "End user (Get Help only)"

[Components]
Name: "core"; Description: "Podpora program files"; Types: full assist; Flags: fixed
Name: "console"; Description: "Podpora Console (for technicians)"; Types: full
Name: "assist"; Description: "Podpora Get Help (for users)"; Types: full assist

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs; Components: core
Source: "{param:ORGCONFIG}"; DestDir: "{commonappdata}\Podpora"; DestName: "assist.toml"; \
  Flags: external skipifsourcedoesntexist uninsneveruninstall; Check: OrgConfigGiven; Permissions: users-readexec

[Dirs]
Name: "{commonappdata}\Podpora"; Permissions: users-readexec; Flags: uninsneveruninstall

[Run]
; %ProgramData% lets ordinary users create files in new subfolders (inherited CREATOR OWNER rights), so a
; user could plant their own assist.toml before IT does. Replace the inherited ACL of the Podpora folder:
; Administrators and SYSTEM full control, Users read only.
Filename: "{sys}\icacls.exe"; Parameters: """{commonappdata}\Podpora"" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX"; Flags: runhidden waituntilterminated

[Icons]
Name: "{group}\Podpora Console"; Filename: "{app}\podpora-console.exe"; Components: console
Name: "{group}\Podpora Get Help"; Filename: "{app}\podpora-assist.exe"; Components: assist
Name: "{autodesktop}\Podpora Get Help"; Filename: "{app}\podpora-assist.exe"; Components: assist; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; Components: assist

[Registry]
; `podpora` on the PATH for technicians (console component only).
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; ValueType: expandsz; \
  ValueName: "Path"; ValueData: "{olddata};{app}"; Check: NeedsAddPath(ExpandConstant('{app}')); Components: console

[Code]
function OrgConfigGiven: Boolean;
begin
  Result := ExpandConstant('{param:ORGCONFIG|}') <> '';
end;

function NeedsAddPath(Dir: string): Boolean;
var
  OrigPath: string;
begin
  if not RegQueryStringValue(HKLM, 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', OrigPath) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(OrigPath) + ';') = 0;
end;
