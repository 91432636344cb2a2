import { isKeywardError } from '../../shared/errors';
import type { ExtensionIdentity, RuntimeMessageSender } from '../platform/runtime';
import { answer } from './runtime-channels';
import { isMessageType, protocol, type MessageType, type RequestOf, type ResponseOf } from './protocol';
import { protocolChannel, type Envelope } from './protocol-channel';
import { errorReply, failureReply, okReply, type Reply } from './reply';

export type Handler<K extends MessageType> = (
  request: RequestOf<K>,
  sender: RuntimeMessageSender,
) => Promise<ResponseOf<K>>;

/** One handler per message of the protocol; the typecheck fails while one is missing. */
export type Handlers = { readonly [K in MessageType]: Handler<K> };

export interface DispatcherDeps {
  readonly handlers: Handlers;
  readonly identity: ExtensionIdentity;
  /** Told about handler failures that are not a KeywardError (bugs); the sender only learns "failed". */
  readonly onUnexpectedError: (type: MessageType, error: unknown) => void;
}

export type Dispatcher = (envelope: Envelope, sender: RuntimeMessageSender) => Promise<Reply<unknown>>;

/**
 * The background's single entry for runtime messages. Order matters: the sender is checked before anything in
 * the message is looked at, and a handler only ever sees a request its schema accepted. Never rejects.
 */
export function createDispatcher({ handlers, identity, onUnexpectedError }: DispatcherDeps): Dispatcher {
  return async (envelope, sender) => {
    // Other extensions reach us only through onMessageExternal (we declare no externally_connectable), so this
    // is defence in depth, and it refuses senders the browser could not attribute at all.
    if (sender.id !== identity.id) {
      return errorReply('forbidden', 'Refused a message that did not come from Keyward itself.');
    }
    const { type, payload } = envelope;
    if (!isMessageType(type)) {
      return errorReply('invalid_input', `Unknown message type ${JSON.stringify(type)}.`);
    }
    const definition = protocol[type];
    // Every protocol message is for Keyward's own pages only. A content script shares our extension id but its
    // sender URL is the web page's; extension pages cannot be framed by web pages (the manifest lists only the
    // notice page as web-accessible, and it sends no protocol message).
    if (!isExtensionPage(sender.url, identity.baseUrl)) {
      return errorReply('forbidden', `Refused "${type}": it is only accepted from Keyward's own pages.`);
    }
    const request = definition.request.safeParse(payload);
    if (!request.success) {
      // Pages check their forms with the same schema first (ui/field-check.ts); this is the net, in words.
      const fields = [...new Set(request.error.issues.map((issue) => issue.path.join('.') || 'the request'))];
      return errorReply(
        'invalid_input',
        `Keyward could not use what was sent: check ${fields.join(', ')} and try again.`,
      );
    }
    try {
      return okReply(await handlerFor(handlers, type)(request.data, sender));
    } catch (error) {
      if (!isKeywardError(error)) onUnexpectedError(type, error);
      return failureReply(error, `Keyward failed to handle "${type}"; see the background console.`);
    }
  };
}

/**
 * Answers the protocol's runtime messages with the dispatcher. A message that is no protocol envelope at all is
 * refused as well (from Keyward's own contexts with what was wrong, from anything else as forbidden), never left
 * without an answer. Returns a function that stops answering.
 */
export function answerProtocol(deps: DispatcherDeps): () => void {
  return answer(protocolChannel, createDispatcher(deps), {
    onMalformed: (sender) =>
      sender.id !== deps.identity.id
        ? errorReply('forbidden', 'Refused a message that did not come from Keyward itself.')
        : errorReply('invalid_input', 'Malformed message: expected { type: string, payload }.'),
  });
}

// TypeScript cannot tie `request.data` to `handlers[type]` for a union of types; the schema parsed with
// `protocol[type]` is what makes the request the right one for this handler.
function handlerFor<K extends MessageType>(handlers: Handlers, type: K): Handler<K> {
  return handlers[type];
}

// Scheme and host, not URL.origin: for non-special schemes such as chrome-extension: and moz-extension: some URL
// implementations (Node's among them) report the origin "null", which would make every such URL look alike.
function isExtensionPage(url: string | undefined, baseUrl: string): boolean {
  if (url === undefined || !URL.canParse(url)) return false;
  const page = new URL(url);
  const base = new URL(baseUrl);
  return base.host !== '' && page.protocol === base.protocol && page.host === base.host;
}
