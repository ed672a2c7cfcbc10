export { createApi, errorCode, type ApiClient, type Schemas } from "./client";
export { formatCount, formatYen, groupDigits, ppmToPercent, sumPpm } from "./format";
export { CLIENT_HEADER, CLIENT_NAME, CONSOLE_CLIENT_NAME, Session, type SessionListener, type TokenPair } from "./session";
export { RateDisclosure, type RateDisclosureProps } from "./ui/RateDisclosure";
export { Dialog } from "./ui/Dialog";
