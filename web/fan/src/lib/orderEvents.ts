/**
 * Order notifications over the WebSocket API (GachaCompleted / OrderRefunded), when the build knows its
 * URL (`NEXT_PUBLIC_OSHI_WS_URL`, the stack's WebSocketUrl output). Only a nudge to read the order again:
 * polling the order stays the source of truth. The socket checks the token only at $connect, so it
 * reconnects with every new access token (after each refresh).
 */
import { session } from "./api";

const WS_URL = process.env.NEXT_PUBLIC_OSHI_WS_URL ?? "";

export function watchOrder(orderId: string, onEvent: () => void): () => void {
  if (!WS_URL || typeof WebSocket === "undefined") return () => undefined;
  let socket: WebSocket | null = null;
  let stopped = false;
  const connect = (token: string | null) => {
    socket?.close();
    socket = null;
    if (!token || stopped) return;
    socket = new WebSocket(`${WS_URL}/?token=${encodeURIComponent(token)}`);
    socket.addEventListener("message", (event: MessageEvent<string>) => {
      try {
        if ((JSON.parse(event.data) as { order_id?: string }).order_id === orderId) onEvent();
      } catch {
        // not ours: ignore
      }
    });
  };
  session.ensureToken().then(connect);
  const unsubscribe = session.subscribe(connect);
  return () => {
    stopped = true;
    unsubscribe();
    socket?.close();
  };
}
