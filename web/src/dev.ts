/** Running locally (wrangler dev / vite): e-mail goes to the dev mailbox instead of out. */
export const isLocalDev = ["localhost", "127.0.0.1", "[::1]"].includes(location.hostname);

export const DEV_MAILBOX_URL = "/dev/mailbox";
