/** The buy page's choice between an item's monthly and yearly plans; nothing for an item with one price. */
import { type ItemT, type PlanInterval, subscriptionPlans } from "../../../../shared/catalog";
import { h, uniqueId } from "../../dom";
import { formatMoney } from "../../format";

const LABELS: Record<PlanInterval, string> = { month: "Monthly", year: "Yearly" };

export function planChoice(item: ItemT): { element: Node | ""; interval: () => PlanInterval | undefined } {
  const plans = subscriptionPlans(item.pricing);
  if (plans.length < 2) return { element: "", interval: () => undefined };
  const name = uniqueId("plan");
  const radios = plans.map((plan, index) =>
    h("input", { type: "radio", name, value: plan.interval, id: `${name}-${plan.interval}`, checked: index === 0 }),
  );
  const element = h(
    "fieldset",
    { class: "plan-choice" },
    h("legend", {}, "Billing"),
    ...plans.map((plan, index) =>
      h(
        "label",
        { for: `${name}-${plan.interval}` },
        radios[index]!,
        ` ${LABELS[plan.interval]}: ${formatMoney(plan.amount, plan.currency)} / ${plan.interval}`,
      ),
    ),
  );
  return { element, interval: () => radios.find((radio) => radio.checked)?.value as PlanInterval | undefined };
}
