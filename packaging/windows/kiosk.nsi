; NSIS 3 installer for the Suishen health code kiosk (Windows x86-64).
; Built by packaging/build.sh:
;   makensis -INPUTCHARSET UTF8 -DVERSION=v1.2.3 -DWINVERSION=1.2.3.0 \
;            -DSRCDIR=dir-with-the-exes -DICON=kiosk.ico -DOUTFILE=setup.exe kiosk.nsi
;
; Command line (silent installs for many kiosks, see PACKAGING.md):
;   setup.exe /S                  program and start-menu entries
;   setup.exe /S /KIOSK           ...and start in kiosk mode at every login
;   setup.exe /S /NOSTARTMENU     no start-menu entries
;   uninstall.exe /S              remove the program, keep the local data
;   uninstall.exe /S /PURGE       ...and delete the current user's local data

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma

!ifndef VERSION | WINVERSION | SRCDIR | ICON | OUTFILE
  !error "define VERSION, WINVERSION, SRCDIR, ICON and OUTFILE (packaging/build.sh does)"
!endif

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "Sections.nsh"
!include "x64.nsh"

; Directory names shared with the program (app/config, internal/logfile):
; the kiosk keeps its settings in %AppData%\shcommunity-kiosk, its logs in
; %LocalAppData%\shcommunity-kiosk, and Fyne its preferences in
; %AppData%\fyne\cn.shcommunity.kiosk, and its secrets (DPAPI-protected)
; in %AppData%\shcommunity-kiosk-keys (sync/keystore; see PACKAGING.md).
!define APPDIR "shcommunity-kiosk"
!define KEYDIR "shcommunity-kiosk-keys"
!define FYNEDIR "fyne\cn.shcommunity.kiosk"
!define REGKEY "Software\ShCommunity\SuishenKiosk"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\SuishenKiosk"
!define RUNKEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define RUNVALUE "SuishenKiosk"

Name "$(ProductName)"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\SuishenKiosk"
InstallDirRegKey HKLM "${REGKEY}" "InstallDir"
RequestExecutionLevel admin
BrandingText "$(ProductName) ${VERSION}"

VIProductVersion "${WINVERSION}"
VIFileVersion "${WINVERSION}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_SMALLDESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\kiosk.exe"
!define MUI_FINISHPAGE_RUN_NOTCHECKED

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

; The first language is the default when Windows' own is neither.
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

LangString ProductName ${LANG_SIMPCHINESE} "随申码自助服务终端"
LangString ProductName ${LANG_ENGLISH} "Suishen Health Code Kiosk"
LangString SecProgram ${LANG_SIMPCHINESE} "程序文件"
LangString SecProgram ${LANG_ENGLISH} "Program files"
LangString SecStartMenu ${LANG_SIMPCHINESE} "开始菜单快捷方式"
LangString SecStartMenu ${LANG_ENGLISH} "Start menu entries"
LangString SecKiosk ${LANG_SIMPCHINESE} "登录时以自助终端模式启动（全屏，需工作人员密码退出）"
LangString SecKiosk ${LANG_ENGLISH} "Start at login in kiosk mode (full screen, worker PIN to exit)"
LangString SecUnProgram ${LANG_SIMPCHINESE} "程序文件和快捷方式"
LangString SecUnProgram ${LANG_ENGLISH} "Program files and shortcuts"
LangString SecUnData ${LANG_SIMPCHINESE} "同时删除本机数据（数据库、日志、设置）"
LangString SecUnData ${LANG_ENGLISH} "Also delete the local data (database, logs, settings)"
LangString DescProgram ${LANG_SIMPCHINESE} "kiosk.exe、kioskctl.exe（现场诊断工具）和 codeservice.exe。"
LangString DescProgram ${LANG_ENGLISH} "kiosk.exe, kioskctl.exe (field diagnostics) and codeservice.exe."
LangString DescStartMenu ${LANG_SIMPCHINESE} "开始菜单中的终端、诊断和卸载快捷方式。"
LangString DescStartMenu ${LANG_ENGLISH} "Kiosk, diagnostics and uninstall shortcuts in the Start menu."
LangString DescKiosk ${LANG_SIMPCHINESE} "每个用户登录时自动以全屏自助终端模式启动。"
LangString DescKiosk ${LANG_ENGLISH} "Starts full screen in kiosk mode whenever a user logs in."
LangString DescUnData ${LANG_SIMPCHINESE} "未同步的记录将丢失。仅删除当前用户的数据。"
LangString DescUnData ${LANG_ENGLISH} "Records not yet synced are lost. Only the current user's data is deleted."
LangString Diagnostics ${LANG_SIMPCHINESE} "终端诊断"
LangString Diagnostics ${LANG_ENGLISH} "Kiosk diagnostics"
LangString Uninstall ${LANG_SIMPCHINESE} "卸载"
LangString Uninstall ${LANG_ENGLISH} "Uninstall"

VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "随申码自助服务终端"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "随申码自助服务终端安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "MIT licence"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "Suishen Health Code Kiosk"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileDescription" "Suishen Health Code Kiosk setup"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "LegalCopyright" "MIT licence"

Section "!$(SecProgram)" SecProgram
  SectionIn RO
  ; An upgrade replaces a running kiosk's exe, which Windows keeps locked.
  nsExec::Exec 'taskkill /F /IM kiosk.exe'
  SetOutPath "$INSTDIR"
  File "${SRCDIR}\kiosk.exe"
  File "${SRCDIR}\kioskctl.exe"
  File "${SRCDIR}\codeservice.exe"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  WriteRegStr HKLM "${REGKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${REGKEY}" "Version" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "$(ProductName)"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\kiosk.exe,0"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "Shanghai community service centres"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINSTKEY}" "EstimatedSize" $0
SectionEnd

Section "$(SecStartMenu)" SecStartMenu
  SetShellVarContext all
  CreateDirectory "$SMPROGRAMS\$(ProductName)"
  CreateShortcut "$SMPROGRAMS\$(ProductName)\$(ProductName).lnk" "$INSTDIR\kiosk.exe" "" "$INSTDIR\kiosk.exe" 0
  ; A console that stays open, so the technician can read the report out.
  CreateShortcut "$SMPROGRAMS\$(ProductName)\$(Diagnostics).lnk" "$SYSDIR\cmd.exe" '/k ""$INSTDIR\kioskctl.exe" doctor"' "$INSTDIR\kiosk.exe" 0
  CreateShortcut "$SMPROGRAMS\$(ProductName)\$(Uninstall).lnk" "$INSTDIR\uninstall.exe"
SectionEnd

; Off unless chosen: a kiosk PC, not a worker's desk PC, starts in kiosk mode.
Section /o "$(SecKiosk)" SecKiosk
  WriteRegStr HKLM "${RUNKEY}" "${RUNVALUE}" '"$INSTDIR\kiosk.exe" --kiosk'
SectionEnd

; On an upgrade, a component left unticked is removed: the Run value and
; the shortcuts of an earlier install do not linger.
Section "-Unticked components"
  ${IfNot} ${SectionIsSelected} ${SecKiosk}
    DeleteRegValue HKLM "${RUNKEY}" "${RUNVALUE}"
  ${EndIf}
  ${IfNot} ${SectionIsSelected} ${SecStartMenu}
    SetShellVarContext all
    RMDir /r "$SMPROGRAMS\$(ProductName)"
  ${EndIf}
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecProgram} $(DescProgram)
  !insertmacro MUI_DESCRIPTION_TEXT ${SecStartMenu} $(DescStartMenu)
  !insertmacro MUI_DESCRIPTION_TEXT ${SecKiosk} $(DescKiosk)
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "This program needs 64-bit Windows."
    Abort
  ${EndIf}
  SetRegView 64
  ; An upgrade keeps the choice made at the first install.
  ReadRegStr $R2 HKLM "${RUNKEY}" "${RUNVALUE}"
  ${If} $R2 != ""
    !insertmacro SelectSection ${SecKiosk}
  ${EndIf}
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/KIOSK" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecKiosk}
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/NOSTARTMENU" $R1
  ${IfNot} ${Errors}
    !insertmacro UnselectSection ${SecStartMenu}
  ${EndIf}
FunctionEnd

Section "un.$(SecUnProgram)" SecUnProgram
  SectionIn RO
  ; A running kiosk holds its exe open.
  nsExec::Exec 'taskkill /F /IM kiosk.exe'
  Delete "$INSTDIR\kiosk.exe"
  Delete "$INSTDIR\kioskctl.exe"
  Delete "$INSTDIR\codeservice.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  SetShellVarContext all
  RMDir /r "$SMPROGRAMS\$(ProductName)"
  DeleteRegValue HKLM "${RUNKEY}" "${RUNVALUE}"
  DeleteRegKey HKLM "${UNINSTKEY}"
  DeleteRegKey HKLM "${REGKEY}"
  DeleteRegKey /ifempty HKLM "Software\ShCommunity"
SectionEnd

; Off unless asked: the database may hold prints and enrolments the
; service has not acknowledged yet.
Section /o "un.$(SecUnData)" SecUnData
  SetShellVarContext current
  RMDir /r "$APPDATA\${APPDIR}"
  RMDir /r "$LOCALAPPDATA\${APPDIR}"
  RMDir /r "$APPDATA\${FYNEDIR}"
  RMDir /r "$APPDATA\${KEYDIR}"
SectionEnd

!insertmacro MUI_UNFUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecUnData} $(DescUnData)
!insertmacro MUI_UNFUNCTION_DESCRIPTION_END

Function un.onInit
  SetRegView 64
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PURGE" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecUnData}
  ${EndIf}
FunctionEnd
