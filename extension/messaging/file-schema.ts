import { z } from 'zod';

/**
 * A `File` crossing between contexts by structured clone (Chromium's ports carry them; Firefox's too, and its
 * content scripts hand them to the page with cloneInto). Checked by its class tag as well as `instanceof`: a file
 * cloned from another realm may be an instance of that realm's `File`.
 */
export const fileSchema = z.custom<File>(
  (value) => value instanceof File || Object.prototype.toString.call(value) === '[object File]',
  'a File',
);

/** The most files one request may carry (a folder's files included). */
export const MAX_FILES = 10_000;
