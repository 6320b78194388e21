import type { Child } from "hono/jsx";
import { LEGAL_PAGES, type LegalPage } from "../../../../shared/legal";
import type { LegalConfigT } from "../legal-config";
import { PURCHASES_PATH } from "./checkout";
import { Layout } from "./layout";

/**
 * Terms, Privacy, Refund policy, License Agreement and Support: templates filled from the
 * operator's configuration (legal-config.ts). They describe how Plaza works (Stripe Connect with
 * the operator as the platform and seller of record, authors paid the price less its fee), in
 * plain words; an operator should still have them reviewed for their country.
 */

const Link = ({ page }: { page: LegalPage }) => <a href={LEGAL_PAGES[page].path}>{LEGAL_PAGES[page].title}</a>;
const Mail = ({ to }: { to: string }) => <a href={`mailto:${to}`}>{to}</a>;
const days = (n: number) => (n === 1 ? "1 day" : `${n} days`);

function LegalLayout({ page, config, summary, children }: { page: LegalPage; config: LegalConfigT; summary: string; children?: Child }) {
  const { title } = LEGAL_PAGES[page];
  return (
    <Layout title={title} description={summary}>
      <article class="legal" aria-labelledby="legal-title">
        <h1 id="legal-title">{title}</h1>
        <p class="muted">
          Last updated <time datetime={config.LEGAL_LAST_UPDATED}>{config.LEGAL_LAST_UPDATED}</time> · {config.LEGAL_ENTITY_NAME},{" "}
          {config.LEGAL_COUNTRY}
        </p>
        {children}
      </article>
    </Layout>
  );
}

export function TermsPage({ config }: { config: LegalConfigT }) {
  const c = config;
  return (
    <LegalLayout page="terms" config={c} summary={`The terms for buying and selling on Plaza, operated by ${c.LEGAL_ENTITY_NAME}.`}>
      <h2>Who we are</h2>
      <p>
        Plaza is a marketplace for plugins and other digital goods, operated by {c.LEGAL_ENTITY_NAME} ({c.LEGAL_COUNTRY}), "we" below. Items
        are made and published by independent authors. These terms apply to everyone who uses Plaza: buyers, authors and visitors.
      </p>
      <h2>Buying</h2>
      <ul>
        <li>
          We are the seller of record: we take your payment through Stripe, send your receipt and handle refunds. The author of an item made
          it, is responsible for what it does, and receives the price less Plaza's fee.
        </li>
        <li>
          Prices are shown on the item page. Sales tax or VAT is added at checkout where it applies. Card details go to Stripe; we never see
          your full card number.
        </li>
        <li>
          After payment you receive a license key and download links by e-mail; your purchases page lists what you own and gives fresh
          download links. Your use of an item is governed by its author's license or, if the author gives none, our <Link page="license" />.
        </li>
        <li>
          A subscription renews each period until you cancel it on your purchases page; access lasts until the end of the period you paid
          for. If a renewal payment fails, access continues for a short grace period while it is retried, then ends.
        </li>
        <li>
          Refunds follow our <Link page="refunds" />. A full refund, or a payment disputed with your bank, ends your access and revokes the
          license key (if a dispute is decided for the author, both come back).
        </li>
      </ul>
      <h2>Your account</h2>
      <p>
        Keep your password and sign-in links to yourself; you are responsible for what is done with your account. You can buy as a guest:
        the purchase then belongs to the Plaza account of the e-mail address you gave.
      </p>
      <h2>Selling on Plaza</h2>
      <p>
        Authors sell through an organization with a Stripe Connect account and agree to Stripe's terms for it. Each sale pays the author the
        price less Plaza's fee, as shown in the dashboard. Authors must own or have the rights to what they publish, describe it truthfully,
        support it as they say they will, and honour refunds granted under the <Link page="refunds" />; refunded and disputed amounts are
        taken back from the author's balance.
      </p>
      <h2>What is not allowed</h2>
      <p>
        Malware, items that collect data without telling the user, someone else's work without permission, unlawful content, and attempts to
        get around license checks, payments or rate limits. We may unlist items and suspend accounts that break these rules; anyone signed
        in can report an item from its page.
      </p>
      <h2>Liability</h2>
      <p>
        We run Plaza with reasonable care but cannot promise it is always available or free of faults. To the extent the law allows, we are
        not liable for indirect or consequential losses, and our liability for a purchase is limited to what you paid for it. Nothing in
        these terms limits rights that consumer law gives you and that cannot be waived.
      </p>
      <h2>Changes and law</h2>
      <p>
        We may change these terms; the date above says when they last changed, and changes that matter are announced before they apply. The
        law of {c.LEGAL_COUNTRY} governs these terms, without taking away the protection of the law of the country you live in as a
        consumer. Questions: <Mail to={c.SUPPORT_EMAIL} />. See also the <Link page="privacy" />.
      </p>
    </LegalLayout>
  );
}

export function PrivacyPage({ config }: { config: LegalConfigT }) {
  const c = config;
  return (
    <LegalLayout page="privacy" config={c} summary={`What personal data Plaza keeps, why, and your rights.`}>
      <p>
        {c.LEGAL_ENTITY_NAME} ({c.LEGAL_COUNTRY}) is responsible for the personal data Plaza processes. Write to{" "}
        <Mail to={c.SUPPORT_EMAIL} /> for anything about it.
      </p>
      <h2>What we keep and why</h2>
      <ul>
        <li>
          <strong>Your account:</strong> name, e-mail address and a salted hash of your password (never the password itself), to let you
          sign in.
        </li>
        <li>
          <strong>Sessions:</strong> when each sign-in was made and last used, the browser's user agent and the IP address, so you can see
          and end your sessions and we can stop abuse.
        </li>
        <li>
          <strong>Purchases:</strong> the item, amount, currency, tax country and any tax ID you gave, and the e-mail address the purchase
          went to, to deliver it, keep the books and handle refunds. Stripe processes the payment itself, including your card and billing
          address; we store only Stripe's references. License keys are kept only as fingerprints.
        </li>
        <li>
          <strong>Downloads and license checks:</strong> which version was downloaded or checked and when, to enforce the download limits
          and show authors how their items are used.
        </li>
        <li>
          <strong>What you publish:</strong> reviews are public with your name; items, versions and project content are stored for the
          people you share them with.
        </li>
        <li>
          <strong>Security:</strong> an audit log of sign-ins and money-related actions, and short-lived rate-limit counters keyed by IP
          address.
        </li>
      </ul>
      <p>
        Page views on the storefront are counted per item and day, without recording who viewed them. The storefront sets no cookies; the
        dashboard sets one sign-in cookie, which is needed for it to work. There is no advertising and no third-party tracking.
      </p>
      <h2>Who else sees it</h2>
      <ul>
        <li>
          The author of an item you buy sees your order: your e-mail address, the item, the amount, the date and the tax country. They need
          it to support you; they must not use it for anything else.
        </li>
        <li>
          Our processors: Cloudflare (hosting, database and file storage), Stripe (payments, tax and payouts to authors) and the service
          that delivers our e-mail. They process data only on our instructions.
        </li>
        <li>Authorities, where the law requires it.</li>
      </ul>
      <h2>How long</h2>
      <p>
        Account data is kept while your account exists. Order and tax records are kept as long as the accounting and tax law of{" "}
        {c.LEGAL_COUNTRY} requires, even after an account is closed. Ended sessions and rate-limit counters are deleted by routine
        maintenance.
      </p>
      <h2>Your rights</h2>
      <p>
        You can ask for a copy of your data, have it corrected or deleted, object to its use, or take it elsewhere: write to{" "}
        <Mail to={c.SUPPORT_EMAIL} />. You may also complain to the data protection authority where you live or in {c.LEGAL_COUNTRY}. See
        also the <Link page="terms" />.
      </p>
    </LegalLayout>
  );
}

export function RefundsPage({ config }: { config: LegalConfigT }) {
  const c = config;
  const window = c.REFUND_WINDOW_DAYS;
  return (
    <LegalLayout
      page="refunds"
      config={c}
      summary={window > 0 ? `Ask for a refund within ${days(window)} of a purchase on Plaza.` : "When a purchase on Plaza can be refunded."}
    >
      <h2>Asking for a refund</h2>
      {window > 0 ? (
        <p>
          Within <strong>{days(window)}</strong> of a purchase you can ask for a full refund if the item does not work as described, cannot
          be installed, or you bought it by mistake. Write to <Mail to={c.SUPPORT_EMAIL} /> with your order number (it is in your receipt
          e-mail and on your purchases page) and a line on what went wrong.
        </p>
      ) : (
        <p>
          Purchases are final once delivered, unless the item does not work as described or cannot be installed. In that case write to{" "}
          <Mail to={c.SUPPORT_EMAIL} /> with your order number (it is in your receipt e-mail and on your purchases page).
        </p>
      )}
      <p>
        The item's author can also refund you directly. After the window we look at each request, especially when an item stopped working or
        was removed.
      </p>
      <h2>Subscriptions</h2>
      <p>
        Cancel any time on your purchases page: you keep access until the end of the period you paid for and are not charged again.
        {window > 0 && ` A subscription's first payment can be refunded within ${days(window)} like a purchase.`} If you were charged for a
        renewal you did not mean to keep, write to us.
      </p>
      <h2>What a refund does</h2>
      <ul>
        <li>The money goes back to the payment method you used; depending on your bank it shows in 5 to 10 business days.</li>
        <li>
          A full refund ends your access to the item and revokes its license key. A partial refund (for example, for a problem the author
          fixed) keeps both.
        </li>
        <li>You get an e-mail for every refund.</li>
      </ul>
      <p>
        Please ask us before disputing a payment with your bank: a dispute freezes your access and license key until it is decided. Nothing
        in this policy limits the rights that consumer law where you live gives you. See also the <Link page="terms" />.
      </p>
    </LegalLayout>
  );
}

export function LicensePage({ config }: { config: LegalConfigT }) {
  const c = config;
  return (
    <LegalLayout page="license" config={c} summary="The default end-user license for items on Plaza whose author gives none.">
      <p>
        This is the license for an item bought or obtained on Plaza when its author publishes no license of their own (an author's license,
        shown on the item page or in the item, takes precedence). The licensor is the item's author; {c.LEGAL_ENTITY_NAME} operates the
        marketplace and sells the license on the author's behalf.
      </p>
      <h2>What you may do</h2>
      <ul>
        <li>
          Install and use the item, for yourself or for the organization you bought it for, in as many of your projects as you like, with
          the license key you received.
        </li>
        <li>Change it for your own use, and keep backup copies.</li>
        <li>Use the versions the author publishes while your license is active.</li>
      </ul>
      <h2>What you may not do</h2>
      <ul>
        <li>Sell, share, sublicense or publish the item, its files or its license key, changed or not.</li>
        <li>Get around its license check or download limits.</li>
        <li>Use it to make a competing item from its code or assets.</li>
      </ul>
      <h2>How long it lasts</h2>
      <p>
        A one-time purchase is licensed for good. A subscription's license lasts while the subscription does. The license ends if the
        purchase is fully refunded or its payment is reversed, or if you break these terms; you then stop using the item and delete it.
      </p>
      <h2>Other software inside</h2>
      <p>Open-source components that an item includes remain under their own licenses, which this one does not restrict.</p>
      <h2>No warranty</h2>
      <p>
        The item is provided as it is, within what the law allows; your remedies are those of the <Link page="refunds" /> and the rights
        consumer law gives you. Questions about an item go to its author; about this license, to <Mail to={c.SUPPORT_EMAIL} />.
      </p>
    </LegalLayout>
  );
}

const faq: { q: string; a: (c: LegalConfigT) => Child }[] = [
  {
    q: "Where is my license key?",
    a: () => (
      <>
        In your receipt e-mail. The page after payment shows it once, and your <a href={PURCHASES_PATH}>purchases</a> list it masked.
      </>
    ),
  },
  {
    q: "My download link expired.",
    a: () => (
      <>
        Links in the receipt work for 7 days. Your <a href={PURCHASES_PATH}>purchases page</a> gives fresh ones at any time.
      </>
    ),
  },
  {
    q: "I bought as a guest. How do I sign in?",
    a: () => "With a sign-in link sent to the e-mail address you paid with: no password needed. Your purchases are waiting there.",
  },
  {
    q: "I did not get the receipt e-mail.",
    a: (c) => (
      <>
        Look in your spam folder, then sign in with a link to see your purchases. Still missing? Write to <Mail to={c.SUPPORT_EMAIL} />.
      </>
    ),
  },
  {
    q: "How do I cancel a subscription?",
    a: () => (
      <>
        On your <a href={PURCHASES_PATH}>purchases page</a>: access lasts until the end of the period you paid for.
      </>
    ),
  },
  {
    q: "How do I get a refund?",
    a: (c) => (
      <>
        Write to <Mail to={c.SUPPORT_EMAIL} /> with your order number
        {c.REFUND_WINDOW_DAYS > 0 && ` within ${days(c.REFUND_WINDOW_DAYS)} of buying`}; the <Link page="refunds" /> says when one is given.
      </>
    ),
  },
  {
    q: "An item does not work.",
    a: () => "Its author knows it best: their page is linked from the item page. If they do not answer, write to us.",
  },
  {
    q: "How do I sell on Plaza?",
    a: () => (
      <>
        Create an organization in the <a href="/dashboard">dashboard</a>, connect a Stripe account under Payouts, and publish your item.
      </>
    ),
  },
];

export function SupportPage({ config }: { config: LegalConfigT }) {
  const c = config;
  return (
    <LegalLayout page="support" config={c} summary="Help with purchases, license keys, downloads, refunds and selling on Plaza.">
      <p>
        Write to <Mail to={c.SUPPORT_EMAIL} /> with your order number if it is about a purchase. We answer on working days.
      </p>
      <h2>Frequently asked</h2>
      <dl class="faq">
        {faq.map(({ q, a }) => (
          <>
            <dt>{q}</dt>
            <dd>{a(c)}</dd>
          </>
        ))}
      </dl>
      <p>
        The fine print: <Link page="terms" />, <Link page="privacy" />, <Link page="refunds" />, <Link page="license" />.
      </p>
    </LegalLayout>
  );
}

export const LEGAL_PAGE_COMPONENTS: Record<LegalPage, (props: { config: LegalConfigT }) => Child> = {
  terms: TermsPage,
  privacy: PrivacyPage,
  refunds: RefundsPage,
  license: LicensePage,
  support: SupportPage,
};
