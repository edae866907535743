/** What may appear in a request head, shared by plain and streamed requests. */

export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const ASCII_VALUE = /^[\t\x20-\x7e]*$/;
export const LATIN1_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** What Node's http client accepts in a request target: no controls, spaces or non-Latin-1. */
export const REQUEST_TARGET = /^[\x21-\xff]+$/;
export const ASCII_REQUEST_TARGET = /^[\x21-\x7e]+$/;

/** An `Error` with a `code`, as Node's own errors carry. */
export function codedError(message: string, code: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

export function closedError(): Error & { code: string } {
  return codedError('the transport is closed', 'ERR_TRANSPORT_CLOSED');
}
