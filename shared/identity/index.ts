export { Email } from './email';
export { Fingerprint } from './fingerprint';
export { KeyId } from './key-id';
export { emailSchema, fingerprintSchema } from './identity-schemas';
