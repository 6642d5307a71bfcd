// The Electron main process: one hardened window, the API handlers over IPC, the menu. The
// work itself happens in the engine (src-main/engine), which knows nothing of Electron.

import { app, BrowserWindow, dialog, ipcMain, Menu, session, type BaseWindow } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initBackend } from './engine/backend';
import { existsSync } from 'node:fs';
import { workerRunner } from './host/jobs';
import { CHANNELS, HOST_EVENT_CHANNEL, MENU_COMMAND_CHANNEL, type FileKind } from './ipc/api';
import { createHandlers, invokeHandler } from './ipc/handlers';
import { menuTemplate } from './ipc/menu';
import {
  CONTENT_SECURITY_POLICY,
  DEV_CONTENT_SECURITY_POLICY,
  isAppContent,
  isAppPage,
  type AppLocation,
} from './ipc/security';
import type { CommandId } from './ipc/shortcuts';

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const isDev = Boolean(devServerUrl);
const rendererIndex = path.join(import.meta.dirname, '../renderer/index.html');
const location: AppLocation = devServerUrl
  ? { kind: 'dev', url: devServerUrl }
  : { kind: 'file', indexUrl: pathToFileURL(rendererIndex).href };
const csp = isDev ? DEV_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY;

// Start the compute backend at once; app:info waits for it.
const backend: Promise<string | null> = initBackend().then(
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
  const unpacked = bundled.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
  return existsSync(unpacked) ? unpacked : bundled;
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

function registerIpc(): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!isAppPage(event.senderFrame?.url, location)) {
        throw new Error(`Refused "${channel}": the request did not come from the app's own page.`);
      }
      return invokeHandler(handlers, channel, args);
    });
  }
}

/** Before ready: sandbox every renderer; no navigation away, no new windows, no webviews. */
function hardenProcess(): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (navigation) => {
      if (!isAppPage(navigation.url, location)) navigation.preventDefault();
    });
    contents.on('will-attach-webview', (attach) => attach.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

/** After ready: the CSP header on the app's content; no permissions but clipboard writes. */
function hardenSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppContent(details.url, location)) {
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
  session.defaultSession.setPermissionRequestHandler((_contents, permission, allow) => {
    allow(permission === 'clipboard-sanitized-write');
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
      sandbox: true,
      webSecurity: true,
      spellcheck: false,
      devTools: isDev,
    },
  });
  win.once('ready-to-show', () => win.show());
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
  if (location.kind === 'dev') void win.loadURL(location.url);
  else void win.loadFile(rendererIndex);
  return win;
}

hardenProcess();
registerIpc();

void app.whenReady().then(() => {
  hardenSession();
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
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
