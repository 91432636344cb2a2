import type { z } from 'zod';
import type { MessagePort } from '../platform/ports';
import type { RuntimeMessageSender } from '../platform/runtime';

/**
 * The one way the extension's contexts talk: every port, RPC, worker and one-off message is a channel with a
 * schema for each direction. The side that opens a channel (connects a port, starts a worker, sends a request)
 * sends `fromOpener`; the side that accepts it sends `fromAcceptor`. Whatever arrives is parsed with its schema
 * before a listener sees it, in both directions: a context never trusts another's messages, least of all a content
 * script's, which runs beside a hostile page. Refusals travel inside the messages as wire errors
 * (./wire-error.ts). Ports and one-off messages go through ./runtime-channels.ts, the only module that reaches the
 * browser's messaging (a lint rule keeps it so); workers through the functions here. This module itself touches
 * no extension API, so a dedicated worker can load it.
 */
export interface Channel<
  FromOpener extends z.ZodType = z.ZodType,
  FromAcceptor extends z.ZodType = z.ZodType,
> {
  /** The port's name, or what tells a one-off message apart. */
  readonly name: string;
  readonly fromOpener: FromOpener;
  readonly fromAcceptor: FromAcceptor;
}

export function defineChannel<FromOpener extends z.ZodType, FromAcceptor extends z.ZodType>(
  channel: Channel<FromOpener, FromAcceptor>,
): Channel<FromOpener, FromAcceptor> {
  return channel;
}

/** What the opener sends and what it hears, after parsing. */
export type OpenerSends<C extends Channel> = z.input<C['fromOpener']>;
export type OpenerHears<C extends Channel> = z.output<C['fromAcceptor']>;
export type AcceptorSends<C extends Channel> = z.input<C['fromAcceptor']>;
export type AcceptorHears<C extends Channel> = z.output<C['fromOpener']>;

/** One end of an open channel. */
export interface ChannelEnd<Sends, Hears> {
  /** Who opened it, as the browser attributes it (ports only): every acceptor checks it before anything else. */
  readonly sender: RuntimeMessageSender | undefined;
  /** Throws when the other end is gone (as runtime ports do). */
  post(message: Sends): void;
  /** Only messages the channel's schema accepted; a malformed one ends the channel instead (see `onMalformed`). */
  onMessage(listener: (message: Hears) => void): void;
  /** The other end went away, or sent something malformed. Not called for this end's own `disconnect()`. */
  onDisconnect(listener: () => void): void;
  disconnect(): void;
}

export type OpenerEnd<C extends Channel> = ChannelEnd<OpenerSends<C>, OpenerHears<C>>;
export type AcceptorEnd<C extends Channel> = ChannelEnd<AcceptorSends<C>, AcceptorHears<C>>;

/** A raw two-way link: a runtime port, or a worker seen from either side. */
export type Link = MessagePort;

export interface EndOptions<Sends> {
  /**
   * What to do with a message the schema refused, instead of ending the channel: the acceptor may answer with a
   * refusal of its own (`end.post(...)`) where the opener waits for one. `message` is what was refused, unparsed:
   * untrusted, for choosing the refusal only.
   */
  readonly onMalformed?: (end: ChannelEnd<Sends, never>, message: unknown) => void;
}

/** Puts a channel's schema in front of a link's incoming messages. */
export function endOf<Sends, Hears>(
  link: Link,
  hears: z.ZodType,
  options: EndOptions<Sends> = {},
): ChannelEnd<Sends, Hears> {
  const listeners: ((message: Hears) => void)[] = [];
  const gone: (() => void)[] = [];
  let ended = false;
  const end: ChannelEnd<Sends, Hears> = {
    sender: link.sender,
    post: (message) => link.post(message),
    onMessage: (listener) => void listeners.push(listener),
    onDisconnect: (listener) => void gone.push(listener),
    disconnect: () => {
      ended = true;
      link.disconnect();
    },
  };
  const lost = () => {
    if (ended) return;
    ended = true;
    for (const listener of gone) listener();
  };
  link.onMessage((raw) => {
    if (ended) return;
    const parsed = hears.safeParse(raw);
    if (parsed.success) {
      for (const listener of listeners) listener(parsed.data as Hears);
    } else if (options.onMalformed) {
      options.onMalformed(end as ChannelEnd<Sends, never>, raw);
    } else {
      // Fail closed: whoever sent it learns nothing more, and this end's owner stops waiting for an answer.
      link.disconnect();
      lost();
    }
  });
  link.onDisconnect(lost);
  return end;
}

/** The opener's side of a dedicated worker: the worker posts `fromAcceptor`; an error inside it ends the channel. */
export function openWorker<C extends Channel>(channel: C, worker: Worker): OpenerEnd<C> {
  const gone: (() => void)[] = [];
  const link: Link = {
    name: channel.name,
    sender: undefined,
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => (worker.onmessage = (event: MessageEvent) => listener(event.data)),
    onDisconnect: (listener) => void gone.push(listener),
    disconnect: () => worker.terminate(),
  };
  worker.onerror = (event) => {
    event.preventDefault();
    for (const listener of gone) listener();
  };
  return endOf<OpenerSends<C>, OpenerHears<C>>(link, channel.fromAcceptor);
}

/** The parts of a dedicated worker's global scope a channel uses. */
export interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

/** The worker's own side (inside it): hears `fromOpener`, posts `fromAcceptor`. */
export function acceptInWorker<C extends Channel>(channel: C, scope: WorkerScope): AcceptorEnd<C> {
  const link: Link = {
    name: channel.name,
    sender: undefined,
    post: (message) => scope.postMessage(message),
    onMessage: (listener) => scope.addEventListener('message', (event) => listener(event.data)),
    onDisconnect: () => undefined,
    disconnect: () => scope.close(),
  };
  return endOf<AcceptorSends<C>, AcceptorHears<C>>(link, channel.fromOpener);
}
