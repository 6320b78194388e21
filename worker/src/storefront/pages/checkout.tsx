import type { CheckoutStatus } from "../../../../shared/payments";
import { Layout } from "./layout";

/** Where a buyer's orders and subscriptions are listed (the web app; it asks for login). */
export const PURCHASES_PATH = "/dashboard/purchases";

const itemPath = (slug: string) => `/items/${encodeURIComponent(slug)}`;

export interface CheckoutSuccessProps {
  checkout: typeof CheckoutStatus._output;
  /** "$19.00" or "$9.00 / month". */
  price: string;
  /** The purchase's license key, on the one view that may show it. */
  licenseKey?: string | null;
  /** Set while the order is not there yet: the page reloads itself to this URL. */
  refresh?: { seconds: number; url: string };
  /** The wait ran out without an order: stop refreshing, offer to check again. */
  gaveUp?: { checkAgainUrl: string };
}

/**
 * Stripe sends the buyer here after paying. The order appears once Plaza has processed Stripe's
 * webhook (asynchronously, through a queue), so until then the page says it is finishing up and
 * reloads itself: no JavaScript needed.
 */
export function CheckoutSuccessPage({ checkout, price, licenseKey, refresh, gaveUp }: CheckoutSuccessProps) {
  if (checkout.status === "expired" || checkout.status === "failed") return <CheckoutClosedPage checkout={checkout} price={price} />;
  const done = checkout.orderId !== null;
  const title = done ? "Thank you!" : gaveUp ? "Still finishing up" : "Payment received";
  return (
    <Layout title={title} description={`Your purchase of ${checkout.itemName} on Plaza.`} noindex refresh={done ? undefined : refresh}>
      <h1>{title}</h1>
      <div class="notice" role="status" aria-live="polite">
        {done ? (
          <p>
            Your purchase of <strong>{checkout.itemName}</strong> is complete.
          </p>
        ) : gaveUp ? (
          <p>
            Your payment for <strong>{checkout.itemName}</strong> is still being confirmed; this is taking longer than usual. The purchase
            appears under your purchases as soon as it is done.
          </p>
        ) : (
          <p>
            Finishing up your purchase of <strong>{checkout.itemName}</strong>… This page updates by itself.
          </p>
        )}
        <dl class="facts">
          <dt>Item</dt>
          <dd>
            <a href={itemPath(checkout.itemSlug)}>{checkout.itemName}</a>
          </dd>
          <dt>Amount</dt>
          <dd>{price}</dd>
          {done && (
            <>
              <dt>Order</dt>
              <dd>
                <code>{checkout.orderId}</code>
              </dd>
            </>
          )}
        </dl>
      </div>
      {done && licenseKey && (
        <div class="notice">
          <h2>Your license key</h2>
          <p>
            <code class="license-key">{licenseKey}</code>
          </p>
          <p class="small">
            Copy it now: Plaza keeps only a fingerprint of it, so this page cannot show it again. Your receipt e-mail has it too, with a
            download link.
          </p>
        </div>
      )}
      {done && !licenseKey && (
        <p class="muted small">
          The license key was shown the first time this page opened, and it is in your receipt e-mail; your purchases list it masked.
        </p>
      )}
      <p class="actions">
        {done && (
          <a class="button" href={PURCHASES_PATH}>
            See your purchases
          </a>
        )}
        {!done && gaveUp && <a href={gaveUp.checkAgainUrl}>Check again</a>}
        {!done && refresh && <a href={refresh.url}>Refresh now</a>}
        <a href={itemPath(checkout.itemSlug)}>Back to {checkout.itemName}</a>
      </p>
      {done && (
        <p class="muted small">
          The purchase belongs to the Plaza account of the e-mail address you paid with. Bought as a guest? Sign in with a link e-mailed to
          that address, no password needed.
        </p>
      )}
    </Layout>
  );
}

/**
 * A checkout that closed unpaid, reached from its success link (the bank's answer can come days
 * after the buyer left): it says what happened, that nothing was charged, and offers to buy again.
 */
function CheckoutClosedPage({ checkout, price }: Pick<CheckoutSuccessProps, "checkout" | "price">) {
  const expired = checkout.status === "expired";
  const title = expired ? "Checkout expired" : "Payment failed";
  return (
    <Layout title={title} description={`Your checkout for ${checkout.itemName} on Plaza.`} noindex>
      <h1>{title}</h1>
      <div class="notice" role="status">
        <p>
          {expired ? (
            <>
              This checkout for <strong>{checkout.itemName}</strong> expired before it was paid, so you were not charged.
            </>
          ) : (
            <>
              Your bank did not complete the payment for <strong>{checkout.itemName}</strong>, so the purchase did not go through and you
              were not charged.
            </>
          )}
        </p>
        <dl class="facts">
          <dt>Item</dt>
          <dd>
            <a href={itemPath(checkout.itemSlug)}>{checkout.itemName}</a>
          </dd>
          <dt>Amount</dt>
          <dd>{price}</dd>
        </dl>
      </div>
      <p class="actions">
        <a class="button" href={`${itemPath(checkout.itemSlug)}#buy`}>
          Buy {checkout.itemName} again
        </a>
        <a href="/">Browse the storefront</a>
      </p>
    </Layout>
  );
}

export function CheckoutCancelPage({ item }: { item?: { slug: string; name: string } }) {
  return (
    <Layout title="Checkout canceled" description="You left the checkout; nothing was charged." noindex>
      <h1>Checkout canceled</h1>
      <p>You left the checkout before paying, so you were not charged.</p>
      <p class="actions">
        {item && (
          <a class="button" href={`${itemPath(item.slug)}#buy`}>
            Back to {item.name}
          </a>
        )}
        <a href="/">Browse the storefront</a>
      </p>
    </Layout>
  );
}

/** An unknown (or mistyped) checkout id. */
export function CheckoutNotFoundPage() {
  return (
    <Layout title="Checkout not found" description="There is no such checkout." noindex>
      <h1>Checkout not found</h1>
      <p>We could not find this checkout. If you paid, your purchase is listed under your purchases.</p>
      <p class="actions">
        <a href={PURCHASES_PATH}>Your purchases</a>
        <a href="/">Browse the storefront</a>
      </p>
    </Layout>
  );
}
