// The sandboxed preload: exposes window.htlnet, one typed method per API channel plus the menu
// command subscription. Nothing generic crosses the bridge (no ipcRenderer, no channel names
// chosen by the page: the methods are built from the fixed channel list). Bundled to CommonJS:
// sandboxed preloads cannot load ES modules.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  HOST_EVENT_CHANNEL,
  MENU_COMMAND_CHANNEL,
  type Channel,
  type HostEvent,
  type RendererApi,
} from './ipc/api';
import { createInvokeApi } from './ipc/client';
import { isCommandId, type CommandId } from './ipc/shortcuts';

const REMOTE_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

async function invoke(channel: Channel, args: unknown[]): Promise<unknown> {
  try {
    return (await ipcRenderer.invoke(channel, ...args)) as unknown;
  } catch (error) {
    // Electron wraps the handler's error as "Error invoking remote method 'x': Error: message".
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(message.replace(REMOTE_PREFIX, ''));
  }
}

/**
 * Menu commands that arrive before the page subscribes (a project double-clicked while the app
 * starts: main sends 'file.open' with its path as soon as the page has loaded), handed to the
 * first subscriber.
 */
let early: [CommandId, string | undefined][] = [];
let menuSubscribers = 0;
ipcRenderer.on(MENU_COMMAND_CHANNEL, (_event: IpcRendererEvent, command: unknown, arg: unknown) => {
  if (menuSubscribers === 0 && isCommandId(command)) {
    early.push([command, typeof arg === 'string' ? arg : undefined]);
  }
});

const api: RendererApi = {
  ...createInvokeApi(invoke),
  onMenuCommand(callback: (command: CommandId, path?: string) => void): () => void {
    const listener = (_event: IpcRendererEvent, command: unknown, arg: unknown) => {
      if (isCommandId(command)) callback(command, typeof arg === 'string' ? arg : undefined);
    };
    ipcRenderer.on(MENU_COMMAND_CHANNEL, listener);
    menuSubscribers++;
    const held = early;
    early = [];
    for (const [command, arg] of held) callback(command, arg);
    return () => {
      menuSubscribers--;
      ipcRenderer.removeListener(MENU_COMMAND_CHANNEL, listener);
    };
  },
  onHostEvent(callback: (event: HostEvent) => void): () => void {
    const listener = (_event: IpcRendererEvent, event: unknown) => {
      if (typeof event === 'object' && event !== null && 'type' in event) {
        callback(event as HostEvent);
      }
    };
    ipcRenderer.on(HOST_EVENT_CHANNEL, listener);
    return () => {
      ipcRenderer.removeListener(HOST_EVENT_CHANNEL, listener);
    };
  },
};

export type HtlnetApi = RendererApi;

contextBridge.exposeInMainWorld('htlnet', api);
