import { askFrame } from '../platform/navigation';
import { connectPort, onPortConnect } from '../platform/ports';
import { onRuntimeRequest, sendRuntimeMessage, type RuntimeMessageSender } from '../platform/runtime';
import { askTab } from '../platform/tabs';
import {
  endOf,
  type AcceptorEnd,
  type AcceptorHears,
  type AcceptorSends,
  type Channel,
  type EndOptions,
  type Link,
  type OpenerEnd,
  type OpenerHears,
  type OpenerSends,
} from './channel';

/*
 * Channels over the browser's messaging (./channel.ts says what a channel is): runtime ports between the
 * extension's contexts, and one-off runtime or tab messages. The only module that uses platform/'s messaging.
 */

/** Opens a port channel to the background (or, from the offscreen document, the port the background serves). */
export function openChannel<C extends Channel>(channel: C): OpenerEnd<C> {
  return endOf<OpenerSends<C>, OpenerHears<C>>(connectPort(channel.name), channel.fromAcceptor);
}

/** How the background accepts one kind of port: the channel, and who serves each one that connects. */
export interface PortRoute {
  readonly name: string;
  readonly accept: (link: Link) => void;
}

export function route<C extends Channel>(
  channel: C,
  serve: (end: AcceptorEnd<C>) => void,
  options: EndOptions<AcceptorSends<C>> = {},
): PortRoute {
  return {
    name: channel.name,
    accept: (link) => serve(endOf<AcceptorSends<C>, AcceptorHears<C>>(link, channel.fromOpener, options)),
  };
}

/** The background's one listener for ports: each goes to its channel's route, and any other name is dropped. */
export function acceptPorts(routes: readonly PortRoute[]): void {
  onPortConnect((link) => {
    const found = routes.find((r) => r.name === link.name);
    if (found) found.accept(link);
    else link.disconnect();
  });
}

/** Where a one-off request goes: the background, every Keyward frame of a tab, or one frame of a tab. */
export type RequestTarget =
  | { readonly to: 'background' }
  | { readonly to: 'tab'; readonly tabId: number }
  | { readonly to: 'frame'; readonly tabId: number; readonly frameId: number };

/**
 * Sends one request and resolves to the answer its schema accepted; undefined when nobody answered or the answer
 * was malformed (the caller fails closed). Rejects only when there is no receiving end at all.
 */
export async function ask<C extends Channel>(
  channel: C,
  target: RequestTarget,
  request: OpenerSends<C>,
): Promise<OpenerHears<C> | undefined> {
  const raw =
    target.to === 'background'
      ? await sendRuntimeMessage(request)
      : target.to === 'tab'
        ? await askTab(target.tabId, request)
        : await askFrame(target.tabId, target.frameId, request);
  const parsed = channel.fromAcceptor.safeParse(raw);
  return parsed.success ? (parsed.data as OpenerHears<C>) : undefined;
}

/**
 * Answers a channel's one-off requests. A request its schema refuses is not this listener's: it stays silent (so
 * another frame or context may answer), unless `onMalformed` gives a refusal to answer with. `handler` returns
 * undefined for a request it leaves to another context. Returns a function that stops listening.
 */
export function answer<C extends Channel>(
  channel: C,
  handler: (request: AcceptorHears<C>, sender: RuntimeMessageSender) => Promise<AcceptorSends<C>> | undefined,
  options: { readonly onMalformed?: (sender: RuntimeMessageSender) => AcceptorSends<C> } = {},
): () => void {
  return onRuntimeRequest((message, sender) => {
    const parsed = channel.fromOpener.safeParse(message);
    if (parsed.success) return handler(parsed.data as AcceptorHears<C>, sender);
    return options.onMalformed ? Promise.resolve(options.onMalformed(sender)) : undefined;
  });
}
