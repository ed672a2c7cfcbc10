/** One session and one API client per tab (same origin as the app: no base URL, no CORS). */
import { createApi, Session } from "@oshi/shared";

export const session = new Session();
export const api = createApi(session);
