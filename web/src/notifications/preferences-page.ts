/**
 * /settings/notifications: where each type of notification reaches the person (in the app, by
 * e-mail, both or not at all). Each choice is saved as it is made, through the mutation queue (so
 * also offline), and SaveStatus says whether it reached Plaza.
 */
import { NOTIFICATION_LABELS, NOTIFICATION_TYPES, type NotificationChannelT, type NotificationTypeT } from "../../../shared/notifications";
import { api } from "../api/client";
import { asApiError } from "../api/errors";
import { unwrap } from "../api/unwrap";
import { h, replace, uniqueId } from "../dom";
import { mutationQueue } from "../offline/queue";
import { NOTIFICATIONS_PATH } from "../pages/paths";
import type { PageContext } from "../router";
import { cachedMe } from "../state/me";
import { alertBox } from "../ui/alert";
import { describeError } from "../ui/messages";
import { pageHeader, section } from "../ui/page";
import { saveStatus } from "../ui/save-status";

const CHANNELS: [NotificationChannelT, string][] = [
  ["in_app", "In-app"],
  ["email", "E-mail"],
  ["both", "Both"],
  ["none", "None"],
];

const SCOPE = "notification-preferences";

type Preferences = Partial<Record<NotificationTypeT, NotificationChannelT>>;

export async function notificationSettingsPage({ signal }: PageContext): Promise<Node> {
  const queue = mutationQueue(cachedMe()?.user.id ?? "");
  const status = saveStatus({ queue, scope: SCOPE, signal });
  const path = api.v1.me["notification-preferences"].$url().pathname;
  const [{ preferences: saved }] = await Promise.all([unwrap(api.v1.me["notification-preferences"].$get()), queue.loaded]);
  // Choices made on this device that have not reached Plaza yet (offline, before a reload) win.
  const preferences: Preferences = { ...saved };
  for (const entry of queue.snapshot().entries)
    if (entry.scope === SCOPE) Object.assign(preferences, (entry.body as { preferences: Preferences }).preferences);

  const problem = h("div", {});
  const choice = (type: NotificationTypeT) => {
    const name = uniqueId(`notify-${type}`);
    let current = preferences[type] ?? "in_app";
    const radios = CHANNELS.map(([channel]) =>
      h("input", {
        type: "radio",
        name,
        value: channel,
        id: `${name}-${channel}`,
        checked: channel === current,
        onchange: () => void save(channel),
      }),
    );
    const save = async (channel: NotificationChannelT) => {
      replace(problem);
      try {
        await queue.enqueue({
          scope: SCOPE,
          label: `Saving "${NOTIFICATION_LABELS[type]}"`,
          method: "PUT",
          path,
          body: { preferences: { [type]: channel } },
        });
        current = channel;
      } catch (err) {
        // Refused: the choice shown goes back to the one Plaza has.
        for (const radio of radios) radio.checked = radio.value === current;
        replace(problem, alertBox("error", `${NOTIFICATION_LABELS[type]}: ${describeError(asApiError(err))}`));
      }
    };
    return h(
      "fieldset",
      { class: "notification-preference", "data-type": type },
      h("legend", {}, NOTIFICATION_LABELS[type]),
      CHANNELS.map(([channel, label], index) => h("label", { for: `${name}-${channel}` }, radios[index]!, label)),
    );
  };

  return h(
    "div",
    { class: "stack" },
    pageHeader(
      "Notification settings",
      "For each kind of news, choose where it reaches you: in the ",
      h("a", { href: NOTIFICATIONS_PATH }, "notifications list"),
      " and the bell, by e-mail, both, or not at all. Receipts, invitations' links and sign-in mail always come.",
    ),
    status.element,
    problem,
    section("What reaches you", NOTIFICATION_TYPES.map(choice)),
  );
}
