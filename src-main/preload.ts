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

const api: RendererApi = {
  ...createInvokeApi(invoke),
  onMenuCommand(callback: (command: CommandId) => void): () => void {
    const listener = (_event: IpcRendererEvent, command: unknown) => {
      if (isCommandId(command)) callback(command);
    };
    ipcRenderer.on(MENU_COMMAND_CHANNEL, listener);
    return () => {
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
