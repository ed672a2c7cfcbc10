/**
 * One session and one API client per tab. The console is served from its own origin with /api on it,
 * and says `X-Oshi-Client: console`: the API then keeps its refresh token in a cookie of its own
 * (`oshi_console_refresh`) that only this origin may use.
 */
import { CONSOLE_CLIENT_NAME, createApi, Session } from "@oshi/shared";

export const session = new Session("", undefined, CONSOLE_CLIENT_NAME);
export const api = createApi(session);
