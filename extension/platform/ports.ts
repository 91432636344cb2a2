import { browser } from 'wxt/browser';
import type { RuntimeMessageSender } from './runtime';

/**
 * Long-lived message channels between the extension's contexts (runtime.Port). Used where one request has many
 * answers (progress) or where a message must go to one context only, not be broadcast to every extension page.
 */
export interface MessagePort {
  readonly name: string;
  readonly sender: RuntimeMessageSender | undefined;
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onDisconnect(listener: () => void): void;
  disconnect(): void;
}

type RuntimePort = ReturnType<typeof browser.runtime.connect>;

function wrap(port: RuntimePort): MessagePort {
  return {
    name: port.name,
    sender: port.sender,
    post: (message) => port.postMessage(message),
    onMessage: (listener) => port.onMessage.addListener((message: unknown) => listener(message)),
    onDisconnect: (listener) => port.onDisconnect.addListener(() => listener()),
    disconnect: () => port.disconnect(),
  };
}

export function connectPort(name: string): MessagePort {
  return wrap(browser.runtime.connect({ name }));
}

export function onPortConnect(listener: (port: MessagePort) => void): void {
  browser.runtime.onConnect.addListener((port) => listener(wrap(port)));
}
