/* global Request */
// A recording stand-in for the 'electron' module, for booting the built main process under
// plain Node (test/packaged). It records what the app asks of Electron (the window and its
// webPreferences, IPC handlers, the protocol handler, session handlers, recent documents, what
// it sends to the page) and lets the test drive it over the child-process IPC channel: invoke an
// API channel as the page would, fetch app:// URLs, navigate, ask permissions, launch a second
// instance, open a file (macOS). Nothing here decides anything for the app.

import { EventEmitter } from 'node:events';
import path from 'node:path';

const home = process.env.HTLNET_STANDIN_HOME;
if (!home) throw new Error('HTLNET_STANDIN_HOME is not set.');
const mainScript = process.argv[1];

const record = {
  privilegedSchemes: [],
  protocolHandlers: {},
  windows: [],
  sent: [],
  recent: [],
  errorBoxes: [],
  messageBoxes: [],
  menu: null,
  sandboxEnabled: false,
  quit: false,
  permissionRequestHandler: null,
  permissionCheckHandler: null,
  headersReceived: null,
};

const ipcHandlers = new Map();

class WebContents extends EventEmitter {
  constructor() {
    super();
    this.url = '';
    this.windowOpenHandler = null;
  }
  send(channel, ...args) {
    record.sent.push({ channel, args });
    process.send?.({ type: 'sent', channel, args });
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  getURL() {
    return this.url;
  }
}

const app = new (class extends EventEmitter {
  isPackaged = true;
  name = 'HTLNet Studio';
  ready = false;
  commandLine = {
    switches: new Set(process.argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2))),
    hasSwitch: (name) => app.commandLine.switches.has(name),
    appendSwitch: (name) => app.commandLine.switches.add(name),
  };
  getVersion() {
    return '0.1.0';
  }
  getAppPath() {
    // <resources>/app.asar/out/main/main.js -> <resources>/app.asar
    return path.resolve(path.dirname(mainScript), '..', '..');
  }
  getPath(name) {
    return path.join(home, name);
  }
  isReady() {
    return this.ready;
  }
  whenReady() {
    return new Promise((resolve) =>
      setImmediate(() => {
        this.ready = true;
        this.emit('ready');
        resolve();
      }),
    );
  }
  requestSingleInstanceLock() {
    return process.env.HTLNET_STANDIN_LOCK !== 'taken';
  }
  enableSandbox() {
    record.sandboxEnabled = true;
  }
  addRecentDocument(file) {
    record.recent.push(file);
  }
  quit() {
    record.quit = true;
    process.send?.({ type: 'quit' });
    setImmediate(() => process.exit(0));
  }
})();

class BrowserWindow extends EventEmitter {
  static all = [];
  static getAllWindows() {
    return [...BrowserWindow.all];
  }
  static getFocusedWindow() {
    return BrowserWindow.all[0] ?? null;
  }
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    this.loadedUrl = null;
    this.minimized = false;
    this.focused = 0;
    BrowserWindow.all.push(this);
    record.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url) {
    this.loadedUrl = url;
    this.webContents.url = url;
    return Promise.resolve();
  }
  loadFile(file) {
    return this.loadURL(`file://${file}`);
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
  }
  focus() {
    this.focused++;
  }
  show() {}
}

const ipcMain = {
  handle(channel, handler) {
    if (ipcHandlers.has(channel)) throw new Error(`Second handler for ${channel}`);
    ipcHandlers.set(channel, handler);
  },
};

const dialog = {
  showErrorBox(title, content) {
    record.errorBoxes.push({ title, content });
    process.send?.({ type: 'error-box', title, content });
  },
  async showMessageBox(...args) {
    record.messageBoxes.push(args.at(-1));
    return { response: 0 };
  },
  showMessageBoxSync() {
    return 1;
  },
  async showOpenDialog() {
    return { canceled: true, filePaths: [] };
  },
  async showSaveDialog() {
    return { canceled: true };
  },
};

const Menu = {
  buildFromTemplate: (template) => ({ template }),
  setApplicationMenu: (menu) => {
    record.menu = menu;
  },
};

const protocol = {
  registerSchemesAsPrivileged(schemes) {
    if (app.ready) throw new Error('registerSchemesAsPrivileged after ready');
    record.privilegedSchemes.push(...schemes);
  },
  handle(scheme, handler) {
    if (!app.ready) throw new Error('protocol.handle before ready');
    record.protocolHandlers[scheme] = handler;
  },
};

const session = {
  defaultSession: {
    webRequest: {
      onHeadersReceived(listener) {
        record.headersReceived = listener;
      },
    },
    setPermissionRequestHandler(handler) {
      record.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler) {
      record.permissionCheckHandler = handler;
    },
  },
};

const contextBridge = {};
const ipcRenderer = {};

// ---- the test's side: requests over the child-process channel ----------------------------------

function navigationEvent(url) {
  return {
    url,
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

function clone(value) {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

const ops = {
  async ready() {
    while (record.windows.length === 0) await new Promise((r) => setTimeout(r, 10));
    return null;
  },
  async invoke({ channel, args, senderUrl }) {
    const handler = ipcHandlers.get(channel);
    if (!handler) throw new Error(`No handler for ${channel}`);
    return handler({ senderFrame: { url: senderUrl } }, ...args);
  },
  async state() {
    const win = record.windows[0];
    return clone({
      channels: [...ipcHandlers.keys()],
      privilegedSchemes: record.privilegedSchemes,
      protocols: Object.keys(record.protocolHandlers),
      windows: record.windows.length,
      window: win && { options: win.options, loadedUrl: win.loadedUrl, focused: win.focused },
      sent: record.sent,
      recent: record.recent,
      errorBoxes: record.errorBoxes,
      messageBoxes: record.messageBoxes,
      menu: Boolean(record.menu),
      sandboxEnabled: record.sandboxEnabled,
      hasPermissionCheck: Boolean(record.permissionCheckHandler),
      hasPermissionRequest: Boolean(record.permissionRequestHandler),
      wasmDir: process.env.HTLNET_WASM_DIR ?? null,
      cwd: process.cwd(),
    });
  },
  async fetch({ url }) {
    const [scheme] = url.split(':');
    const handler = record.protocolHandlers[scheme];
    if (!handler) throw new Error(`No protocol handler for ${scheme}`);
    const response = await handler(new Request(url));
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers.entries()),
      body: await response.text(),
    };
  },
  async navigate({ event, url }) {
    const win = record.windows[0];
    const e = navigationEvent(url);
    win.webContents.emit(event, e);
    return e.prevented;
  },
  async windowOpen({ url }) {
    return record.windows[0].webContents.windowOpenHandler({ url });
  },
  async permissionCheck({ permission, origin }) {
    return record.permissionCheckHandler(record.windows[0].webContents, permission, origin, {});
  },
  async permissionRequest({ permission, pageUrl }) {
    const contents = { getURL: () => pageUrl };
    return new Promise((resolve) =>
      record.permissionRequestHandler(contents, permission, resolve, {}),
    );
  },
  async load() {
    record.windows[0].webContents.emit('did-finish-load');
    return null;
  },
  async secondInstance({ argv, cwd }) {
    app.emit('second-instance', {}, argv, cwd, {});
    return null;
  },
  async openFile({ file }) {
    const e = navigationEvent(file);
    app.emit('open-file', e, file);
    return e.prevented;
  },
};

process.on('message', (message) => {
  const op = ops[message?.op];
  if (!op) return;
  op(message).then(
    (result) => process.send({ id: message.id, result: clone(result) }),
    (error) =>
      process.send({
        id: message.id,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
});

export { app, BrowserWindow, contextBridge, dialog, ipcMain, ipcRenderer, Menu, protocol, session };
export default {
  app,
  BrowserWindow,
  contextBridge,
  dialog,
  ipcMain,
  ipcRenderer,
  Menu,
  protocol,
  session,
};
