/**
 * The few W3C WebDriver commands the WebKitGTK tests need, over plain `fetch`: new session,
 * navigate, execute script, delete session (https://www.w3.org/TR/webdriver2/). No client library:
 * WebKitWebDriver speaks the standard protocol and these four calls are all we use.
 */

/** A WebDriver error answer, as data: the protocol's `error` code, its message, the HTTP status. */
export class WebDriverError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(`WebDriver ${code}: ${message}`);
    this.name = 'WebDriverError';
  }
}

export interface WebDriverSession {
  readonly id: string;
  readonly capabilities: Record<string, unknown>;
  /** Loads the URL and waits for the page's load event (page load strategy "normal"). */
  navigate(url: string): Promise<void>;
  /** Runs `script` as the body of a function in the page, with `args` as `arguments`; its return value, JSON-cloned. */
  execute<T>(script: string, args?: unknown[]): Promise<T>;
  /** Ends the session (the driver closes the browser). Safe to call twice. */
  close(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 120_000;

/** One WebDriver command; the `value` of a success, a `WebDriverError` otherwise. */
export async function command<T>(baseUrl: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let parsed: { value?: unknown } | undefined;
  try {
    parsed = JSON.parse(text) as { value?: unknown };
  } catch {
    throw new WebDriverError('invalid response', `${method} ${path}: HTTP ${response.status} ${text.slice(0, 200)}`, response.status);
  }
  const value = parsed?.value as { error?: unknown; message?: unknown } | undefined;
  if (!response.ok || (value && typeof value === 'object' && typeof value.error === 'string')) {
    const code = typeof value?.error === 'string' ? value.error : 'unknown error';
    const message = typeof value?.message === 'string' ? value.message : text.slice(0, 200);
    throw new WebDriverError(code, `${method} ${path}: ${message}`, response.status);
  }
  return parsed?.value as T;
}

/** `POST /session` with these capabilities (`alwaysMatch`). */
export async function newSession(baseUrl: string, alwaysMatch: Record<string, unknown>): Promise<WebDriverSession> {
  const created = await command<{ sessionId: string; capabilities: Record<string, unknown> }>(baseUrl, 'POST', '/session', {
    capabilities: { alwaysMatch },
  });
  const id = created.sessionId;
  const path = (suffix: string) => `/session/${encodeURIComponent(id)}${suffix}`;
  let closed: Promise<void> | undefined;
  return {
    id,
    capabilities: created.capabilities,
    navigate: async (url) => {
      await command(baseUrl, 'POST', path('/url'), { url });
    },
    execute: (script, args = []) => command(baseUrl, 'POST', path('/execute/sync'), { script, args }),
    close: () => (closed ??= command<unknown>(baseUrl, 'DELETE', path('')).then(() => undefined)),
  };
}
