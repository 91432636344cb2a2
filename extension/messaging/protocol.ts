import { z } from 'zod';

/**
 * The one runtime-message protocol between extension pages (and, later, content scripts) and the background:
 * message name -> request schema -> response type. The background parses every request with its schema before a
 * handler sees it (docs/architecture.md, convention 2); the response type is what the handler resolves to.
 */

/**
 * Who may send a message. `extension-page`: only this extension's own pages (popup, options, ...), never a
 * content script, whose sender carries the web page's URL. Content-script messages will get their own policy
 * (tab and frame checks) when the interceptor needs one.
 */
export type SenderPolicy = 'extension-page';

export interface MessageDefinition<Request extends z.ZodType, Response> {
  readonly request: Request;
  readonly senders: SenderPolicy;
  /** Type-only: what the background answers. Never set at run time. */
  readonly response?: Response;
}

/** Ties a response type to a request schema: `message<Response>()({ request, senders })`. */
function message<Response>() {
  return <Request extends z.ZodType>(definition: {
    request: Request;
    senders: SenderPolicy;
  }): MessageDefinition<Request, Response> => definition;
}

export interface StatusResponse {
  /** The extension's version (from the manifest). */
  readonly version: string;
  /** How many of the user's own keys are stored. */
  readonly keys: number;
  /** True while no key is unlocked for use (also when there is no key at all). */
  readonly locked: boolean;
}

export const protocol = {
  'status.get': message<StatusResponse>()({ request: z.strictObject({}), senders: 'extension-page' }),
};

export type Protocol = typeof protocol;
export type MessageType = keyof Protocol;
/** What a page passes to `sendMessage`. */
export type RequestInput<K extends MessageType> = z.input<Protocol[K]['request']>;
/** What a handler receives, after parsing. */
export type RequestOf<K extends MessageType> = z.output<Protocol[K]['request']>;
export type ResponseOf<K extends MessageType> = NonNullable<Protocol[K]['response']>;

/** The shape of every message on the wire; `type` is bounded so an error message can quote it. */
export const envelopeSchema = z.strictObject({ type: z.string().min(1).max(64), payload: z.unknown() });
export type Envelope = z.infer<typeof envelopeSchema>;

export function isMessageType(type: string): type is MessageType {
  return Object.hasOwn(protocol, type);
}
