// The Electron main process: one hardened window, the API handlers over IPC, the menu. The
// work itself happens in the engine (src-main/engine), which knows nothing of Electron.

import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  type BaseWindow,
} from 'electron';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { initBackend } from './engine/backend';
import { workerRunner } from './host/jobs';
import { CHANNELS, HOST_EVENT_CHANNEL, MENU_COMMAND_CHANNEL, type FileKind } from './ipc/api';
import { appImageSandboxNotice, projectFromArgv } from './ipc/desktop';
import { createHandlers, invokeHandler } from './ipc/handlers';
import { menuTemplate } from './ipc/menu';
import {
  APP_INDEX_URL,
  APP_SCHEME,
  appFileFor,
  CONTENT_SECURITY_POLICY,
  contentTypeOf,
  DEV_CONTENT_SECURITY_POLICY,
  isAppContent,
  isAppPage,
  type AppLocation,
} from './ipc/security';
import type { CommandId } from './ipc/shortcuts';

// One instance per user: a second launch (a double-clicked project) hands its command line to
// the running one ('second-instance') and quits.
const primary = app.requestSingleInstanceLock();
if (!primary) app.quit();

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const isDev = Boolean(devServerUrl);
const rendererDir = path.join(import.meta.dirname, '../renderer');
const location: AppLocation = devServerUrl ? { kind: 'dev', url: devServerUrl } : { kind: 'app' };
const csp = isDev ? DEV_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY;

/** A path inside app.asar as the file system outside Electron's asar support sees it. */
function unpacked(file: string): string {
  return file.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
}

// The compute backend's .wasm binaries travel beside the main bundle (out/main/wasm, unpacked
// from the asar). Told here, once, to this process and to every worker thread it starts (they
// inherit the environment): nothing has to resolve @tensorflow/tfjs-backend-wasm at run time.
process.env.HTLNET_WASM_DIR = unpacked(path.join(import.meta.dirname, 'wasm'));

// Start the compute backend at once; app:info waits for it.
const backend: Promise<string | null> = (
  primary ? initBackend() : new Promise<never>(() => {})
).then(
  (info) => info.name,
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error('Compute backend failed to start:', error);
    dialog.showErrorBox('HTLNet Studio: no compute backend', message);
    return null;
  },
);

const FILTERS: Record<FileKind, Electron.FileFilter[]> = {
  project: [{ name: 'HTLNet Studio project', extensions: ['htlnet.json', 'json'] }],
  csv: [{ name: 'CSV data', extensions: ['csv', 'tsv', 'gz', 'txt'] }],
  model: [],
};

function focusedWindow(): BrowserWindow | undefined {
  return BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
}

const workspace = path.join(app.getPath('documents'), 'HTLNet Studio');

/** The worker script, unpacked from the asar archive in a packaged app (electron-builder.yml). */
function workerScript(): string {
  const bundled = path.join(import.meta.dirname, 'worker.js');
  return existsSync(unpacked(bundled)) ? unpacked(bundled) : bundled;
}

const handlers = createHandlers({
  version: app.getVersion(),
  backend: () => backend,
  mode: 'electron',
  workspace,
  dataDir: app.getPath('userData'),
  roots: null,
  emit: (event) => {
    for (const win of BrowserWindow.getAllWindows())
      win.webContents.send(HOST_EVENT_CHANNEL, event);
  },
  runner: workerRunner(workerScript()),
  dialogs: {
    async openFile(kind) {
      const win = focusedWindow();
      const options: Electron.OpenDialogOptions = {
        defaultPath: workspace,
        properties: kind === 'model' ? ['openDirectory'] : ['openFile'],
        filters: FILTERS[kind],
      };
      const result = win
        ? await dialog.showOpenDialog(win, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async saveFile(kind, suggestedName) {
      const win = focusedWindow();
      const options: Electron.SaveDialogOptions = {
        defaultPath: path.join(workspace, suggestedName),
        filters: FILTERS[kind],
      };
      const result = win
        ? await dialog.showSaveDialog(win, options)
        : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
  },
});

/** Opened and saved projects go to the OS's recent documents (Jump List, Dock, GTK recents). */
function rememberRecent(channel: string, args: unknown[], result: unknown): void {
  let file: unknown = null;
  if (channel === 'project:open') file = (result as { path?: unknown } | null)?.path;
  if (channel === 'project:save') file = (result as { path?: unknown } | null)?.path ?? args[0];
  if (typeof file === 'string' && file) app.addRecentDocument(file);
}

function registerIpc(): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!isAppPage(event.senderFrame?.url, location)) {
        throw new Error(`Refused "${channel}": the request did not come from the app's own page.`);
      }
      const result = await invokeHandler(handlers, channel, args);
      rememberRecent(channel, args, result);
      return result;
    });
  }
}

/**
 * Before ready: sandbox every renderer; no navigation away (of the page or any frame), no new
 * windows, no webviews; the app's scheme registered as a secure standard origin.
 */
function hardenProcess(): void {
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ]);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (navigation) => {
      if (!isAppPage(navigation.url, location)) navigation.preventDefault();
    });
    contents.on('will-frame-navigate', (navigation) => {
      if (!isAppPage(navigation.url, location)) navigation.preventDefault();
    });
    contents.on('will-redirect', (navigation) => {
      if (!isAppPage(navigation.url, location)) navigation.preventDefault();
    });
    contents.on('will-attach-webview', (attach) => attach.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

/**
 * The renderer, served from app://htlnet/ out of out/renderer (inside the asar), every response
 * with the Content-Security-Policy header; nothing outside out/renderer is reachable.
 */
function serveApp(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFileFor(request.url, rendererDir, path.join);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        status: 200,
        headers: {
          'Content-Type': contentTypeOf(file),
          'Content-Security-Policy': csp,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

/** After ready: the CSP header on the dev server's content; no permissions but clipboard writes. */
function hardenSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    if (location.kind !== 'dev' || !isAppContent(details.url, location)) {
      callback({});
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(
        ([name]) => name.toLowerCase() !== 'content-security-policy',
      ),
    );
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [csp] } });
  });
  const allowed = (permission: string) => permission === 'clipboard-sanitized-write';
  session.defaultSession.setPermissionRequestHandler((contents, permission, allow) => {
    allow(allowed(permission) && isAppPage(contents.getURL(), location));
  });
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) => {
    return allowed(permission) && isAppContent(requestingOrigin, location);
  });
}

function sendCommand(command: CommandId, window: BaseWindow | undefined): void {
  const target = window instanceof BrowserWindow ? window : BrowserWindow.getFocusedWindow();
  target?.webContents.send(MENU_COMMAND_CHANNEL, command);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'HTLNet Studio',
    icon: path.join(app.getAppPath(), 'resources', 'icon.png'),
    webPreferences: {
      preload: path.join(import.meta.dirname, '../preload/preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      // A middle click must not open links (in a new window, which is refused anyway).
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
      devTools: isDev,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('did-finish-load', () => {
    loaded = true;
    flushOpenRequest();
  });
  // The page refuses to unload while it has unsaved changes (beforeunload); ask the user.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Discard changes and close', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      title: 'Unsaved changes',
      message: 'The project has unsaved changes.',
      detail: 'Closing now discards them (a recovery copy is kept until the next start).',
    });
    if (choice === 0) event.preventDefault();
  });
  loaded = false;
  void win.loadURL(location.kind === 'dev' ? location.url : APP_INDEX_URL);
  return win;
}

// ---- projects the OS asks to open --------------------------------------------------------------

/** A project to open once the page is loaded (the latest request wins). */
let pendingOpen: string | null = null;
/** Whether the window's page has loaded (its preload listens for menu commands). */
let loaded = false;

/**
 * Opens `file` in the running window as File > Open would (the renderer asks about unsaved
 * changes first): the 'file.open' menu command with the path. The preload holds commands that
 * arrive before the page subscribes.
 */
function requestOpen(file: string): void {
  pendingOpen = file;
  flushOpenRequest();
}

function flushOpenRequest(): void {
  const win = BrowserWindow.getAllWindows()[0];
  if (!win) {
    if (app.isReady()) createWindow();
    return;
  }
  if (win.isMinimized()) win.restore();
  win.focus();
  if (!loaded || pendingOpen === null) return;
  const file = pendingOpen;
  pendingOpen = null;
  // The page opens it through project:open, which puts it in the recent documents once read.
  win.webContents.send(MENU_COMMAND_CHANNEL, 'file.open' satisfies CommandId, file);
}

function openFromArgv(argv: readonly string[], cwd: string): void {
  const file = projectFromArgv(argv, cwd, path.resolve);
  if (file) requestOpen(file);
}

/**
 * On Linux, says at every launch (one line on stderr) when the AppImage runs without the
 * sandbox, and once in a dialog (a marker in the data folder remembers it was shown).
 */
function explainSandbox(): void {
  let restrictUserns: string | null = null;
  try {
    restrictUserns = readFileSync('/proc/sys/kernel/apparmor_restrict_unprivileged_userns', 'utf8');
  } catch {
    restrictUserns = null;
  }
  const notice = appImageSandboxNotice({
    platform: process.platform,
    appImage: process.env.APPIMAGE,
    noSandbox: app.commandLine.hasSwitch('no-sandbox'),
    restrictUserns,
  });
  if (!notice) return;
  console.warn(notice);
  const marker = path.join(app.getPath('userData'), 'sandbox-notice-shown');
  if (existsSync(marker)) return;
  try {
    mkdirSync(path.dirname(marker), { recursive: true });
    writeFileSync(marker, `${notice}\n`);
  } catch {
    // not remembered: the dialog comes again next time
  }
  void dialog.showMessageBox({
    type: 'warning',
    title: 'HTLNet Studio: running without the sandbox',
    message: 'HTLNet Studio is running without Chromium’s sandbox.',
    detail: notice,
    buttons: ['OK'],
  });
}

if (primary) {
  hardenProcess();
  registerIpc();

  app.on('second-instance', (_event, argv, cwd) => {
    const file = projectFromArgv(argv, cwd, path.resolve);
    if (file) requestOpen(file);
    else flushOpenRequest(); // at least bring the window forward
  });
  // macOS: a double-clicked project, also before the app is ready.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    requestOpen(file);
  });
  openFromArgv(process.argv, process.cwd());

  void app.whenReady().then(start);
}

function start(): void {
  serveApp();
  hardenSession();
  explainSandbox();
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        platform: process.platform,
        dev: isDev,
        appName: app.name,
        send: sendCommand,
      }),
    ),
  );
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
