/**
 * "This device holds document edits the room has not had yet": one small localStorage flag per
 * user and project, kept beside the document (local-doc.ts) so it survives a reload too, and
 * readable without loading Y.js (the sign-out warning counts them).
 */
export const unsentKey = (userId: string, projectId: string) => `plaza:doc-unsent:${userId}:${projectId}`;

/** How many of `userId`'s documents on this device hold edits the room has not had yet. */
export const unsentDocuments = (userId: string) => Object.keys(localStorage).filter((key) => key.startsWith(unsentKey(userId, ""))).length;
