import { ANY_USER, type MatrixCase, OWNER_ONLY, succeedsWith } from "../../test/authz-matrix";
import { seedNotification } from "../../test/notification-fixtures";

export const notificationsMatrix: MatrixCase[] = [
  {
    route: "GET /v1/me/notifications",
    scope: "profile:read",
    build: () => ({ method: "GET", path: "/v1/me/notifications" }),
    expected: ANY_USER,
  },
  {
    route: "GET /v1/me/notifications/stream",
    scope: "profile:read",
    // The matrix reads each answer to its end: a stream that does not follow ends after one look.
    build: () => ({ method: "GET", path: "/v1/me/notifications/stream?follow=false" }),
    expected: ANY_USER,
  },
  {
    route: "POST /v1/me/notifications/read-all",
    sessionOnly: true,
    build: () => ({ method: "POST", path: "/v1/me/notifications/read-all" }),
    expected: succeedsWith(ANY_USER, 204),
  },
  {
    route: "POST /v1/me/notifications/:notificationId/read",
    sessionOnly: true,
    build: async (fx) => ({ method: "POST", path: `/v1/me/notifications/${await seedNotification(fx.owner.id)}/read` }),
    expected: OWNER_ONLY,
  },
  {
    route: "GET /v1/me/notification-preferences",
    scope: "profile:read",
    build: () => ({ method: "GET", path: "/v1/me/notification-preferences" }),
    expected: ANY_USER,
  },
  {
    route: "PUT /v1/me/notification-preferences",
    sessionOnly: true,
    build: () => ({ method: "PUT", path: "/v1/me/notification-preferences", options: { body: { preferences: { sale: "both" } } } }),
    expected: ANY_USER,
  },
];
