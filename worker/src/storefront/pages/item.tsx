import { raw } from "hono/html";
import { type ItemT, type ReviewT, subscriptionPlans, type VersionT } from "../../../../shared/catalog";
import { LEGAL_PAGES } from "../../../../shared/legal";
import { renderMarkdown } from "../../../../shared/markdown";
import { fitHeight, isShowable } from "../../../../shared/media-markup";
import { formatBytes, formatCount, formatDate, formatPrice, formatRating } from "../format";
import { authorPath, ItemIcon } from "./item-card";
import { Layout } from "./layout";
import { MediaImg } from "./media-image";

export interface ItemPageProps {
  item: ItemT;
  versions: VersionT[];
  reviews: ReviewT[];
  moreReviews: boolean;
  /** A paid item whose author disconnected Stripe: no Buy button, a note instead. */
  offSale: boolean;
  /** `?version=`: the version to highlight. */
  highlight?: string;
  /** A guest checkout that could not start: why, and the e-mail to fill back in. */
  checkoutProblem?: CheckoutProblem;
}

export interface CheckoutProblem {
  message: string;
  email: string;
  /** The coupon code entered, kept like the e-mail. */
  promotionCode?: string;
}

/** Sanitized HTML from author Markdown (see shared/markdown.ts); the only place `raw` is used. */
const Markdown = ({ source, headingOffset }: { source: string; headingOffset: number }) => (
  <div class="markdown">{raw(renderMarkdown(source, { headingOffset }))}</div>
);

const DateText = ({ ms }: { ms: number }) => <time datetime={new Date(ms).toISOString()}>{formatDate(ms)}</time>;

/** Where the guest form posts: a storefront route that opens a Stripe Checkout and redirects there. */
export const guestCheckoutPath = (slug: string) => `/items/${encodeURIComponent(slug)}/checkout`;

/**
 * Get or buy. The page is cached for everyone, so it cannot know who is signed in: the button is
 * a plain link into the web app (which sends a visitor through login first and then adds the free
 * item, or opens the checkout), and paid items also offer a guest form that needs no account.
 */
function BuyBox({ item, problem, offSale }: { item: ItemT; problem?: CheckoutProblem; offSale: boolean }) {
  const free = item.pricing.model === "free";
  if (offSale && !free) {
    return (
      <aside class="buy" id="buy" aria-label="Buy this item">
        <p class="price">{formatPrice(item.pricing)}</p>
        <p class="off-sale" data-testid="off-sale">
          Not available for purchase right now.
        </p>
      </aside>
    );
  }
  if (free) {
    return (
      <aside class="buy" aria-label="Get this item">
        <p class="price">{formatPrice(item.pricing)}</p>
        <a class="button big" href={`/get/${encodeURIComponent(item.slug)}`}>
          Get {item.name}
        </a>
      </aside>
    );
  }
  const verb = item.pricing.model === "one_time" ? "Buy" : "Subscribe to";
  return (
    <aside class="buy" id="buy" aria-label="Buy this item">
      <p class="price">{formatPrice(item.pricing)}</p>
      {problem && (
        <p class="problem" role="alert">
          {problem.message}
        </p>
      )}
      <a class="button big" href={`/buy/${encodeURIComponent(item.slug)}`}>
        {verb} {item.name}
      </a>
      <p class="muted small">With your Plaza account (you sign in first).</p>
      <form class="guest" method="post" action={guestCheckoutPath(item.slug)} aria-label="Buy as a guest">
        <label for="guest-email">Or as a guest: your e-mail</label>
        <input id="guest-email" type="email" name="email" required maxlength={254} autocomplete="email" value={problem?.email ?? ""} />
        <PlanChoice item={item} />
        {item.pricing.model !== "metered" && (
          <>
            <label for="guest-code">Have a code? (optional)</label>
            <input id="guest-code" name="promotionCode" maxlength={40} autocomplete="off" value={problem?.promotionCode ?? ""} />
          </>
        )}
        <button type="submit">Continue to payment</button>
        <p class="muted small">Payment on Stripe's checkout page. The purchase goes to the Plaza account of this e-mail.</p>
      </form>
      <TermsNote />
    </aside>
  );
}

/** What buying agrees to, beside both ways to buy (the storefront's checkout step before Stripe). */
const TermsNote = () => (
  <p class="muted small terms-note" data-testid="terms-note">
    By buying you agree to the <a href={LEGAL_PAGES.terms.path}>Terms</a> and the <a href={LEGAL_PAGES.license.path}>License Agreement</a>{" "}
    (unless the author gives their own license); see the <a href={LEGAL_PAGES.refunds.path}>Refund policy</a>.
  </p>
);

/** Monthly or yearly, for an item that offers both (the primary plan first, chosen). */
function PlanChoice({ item }: { item: ItemT }) {
  const plans = subscriptionPlans(item.pricing);
  if (plans.length < 2) return null;
  return (
    <fieldset class="plans">
      <legend>Billing</legend>
      {plans.map((plan, index) => (
        <label>
          <input type="radio" name="interval" value={plan.interval} checked={index === 0} />{" "}
          {plan.interval === "month" ? "Monthly" : "Yearly"}: {formatPrice(plan)}
        </label>
      ))}
    </fieldset>
  );
}

function Versions({ versions, highlight }: { versions: VersionT[]; highlight?: string }) {
  if (versions.length === 0) return <p class="muted">No installable versions.</p>;
  return (
    <>
      {highlight && !versions.some((v) => v.version === highlight) && (
        <p class="muted">Version {highlight} is not available (it may have been yanked).</p>
      )}
      <ol class="versions">
        {versions.map((v) => (
          <li
            id={`v${v.version}`}
            class={v.version === highlight ? "highlight" : undefined}
            aria-current={v.version === highlight ? "true" : undefined}
          >
            <h3>
              {v.version} {v.channel === "beta" && <span class="muted">(beta)</span>}
            </h3>
            <p class="muted">
              Released <DateText ms={v.createdAt} /> · for Plaza {v.engineRange} · {formatBytes(v.size)}
            </p>
            {v.changelog ? <Markdown source={v.changelog} headingOffset={3} /> : <p class="muted">No changelog.</p>}
          </li>
        ))}
      </ol>
    </>
  );
}

/** Where a buyer writes or edits their review: a page of the web app (it signs the visitor in first). */
export const reviewPath = (slug: string) => `/review/${encodeURIComponent(slug)}`;

/**
 * The page is cached for everyone, so it cannot know who bought the item: the link is for all,
 * with the rules, and the web app's page says whether this visitor may review.
 */
function WriteReview({ item }: { item: ItemT }) {
  return (
    <p class="write-review">
      <a class="button" href={reviewPath(item.slug)}>
        Write a review
      </a>{" "}
      <span class="muted small">
        Buyers whose access is active (a purchase, a subscription or a free install) can review, once each, and edit or delete it later; a
        refund takes the rating out.
      </span>
    </p>
  );
}

function Reviews({ item, reviews, moreReviews }: { item: ItemT; reviews: ReviewT[]; moreReviews: boolean }) {
  if (reviews.length === 0)
    return (
      <>
        <WriteReview item={item} />
        <p class="muted">No reviews yet.</p>
      </>
    );
  return (
    <>
      <WriteReview item={item} />
      <ol class="reviews">
        {reviews.map((r) => (
          <li>
            <p>
              <strong>
                <span class="vh">{`${r.rating} out of 5 stars`}</span>
                <span aria-hidden="true">{"★".repeat(r.rating) + "☆".repeat(5 - r.rating)}</span>
              </strong>{" "}
              {r.title && <strong>{r.title}</strong>}
            </p>
            {r.body && <p>{r.body}</p>}
            <p class="muted">
              {r.userName} · <DateText ms={r.createdAt} />
            </p>
            {r.reply && (
              <div class="reply">
                <p class="muted">
                  Reply from {item.orgName} · <DateText ms={r.reply.createdAt} />
                  {r.reply.editedAt !== null && " (edited)"}
                </p>
                <p>{r.reply.body}</p>
              </div>
            )}
          </li>
        ))}
      </ol>
      {moreReviews && <p class="muted">Showing the {reviews.length} newest reviews.</p>}
    </>
  );
}

/** Where a signed-in person reports the item to the operators: a page of the web app, like reviewPath. */
export const reportPath = (slug: string) => `/report/${encodeURIComponent(slug)}`;

/** Screenshots are below the fold: lazy, each in a box of its own aspect at most SCREENSHOT_HEIGHT tall. */
const SCREENSHOT_HEIGHT = 220;

/** The screenshots that are ready, in the author's order; one still processing or failed is left out. */
function Screenshots({ item }: { item: ItemT }) {
  const shown = item.screenshots.filter(isShowable);
  if (shown.length === 0) return null;
  return (
    <section aria-labelledby="screenshots">
      <h2 id="screenshots">Screenshots</h2>
      <div class="screens">
        {shown.map((image, i) => (
          <MediaImg image={image} alt={`${item.name} screenshot ${i + 1}`} class="shot" lazy {...fitHeight(image, SCREENSHOT_HEIGHT)} />
        ))}
      </div>
    </section>
  );
}

export function ItemPage({ item, versions, reviews, moreReviews, highlight, checkoutProblem, offSale }: ItemPageProps) {
  return (
    <Layout
      title={item.name}
      description={item.summary || `${item.name} by ${item.orgName} on Plaza.`}
      noindex={item.status !== "published"}
    >
      <article>
        <div class="item-head">
          <ItemIcon item={item} large />
          <div class="grow">
            <h1>{item.name}</h1>
            <p class="muted">
              by <a href={authorPath(item.orgSlug)}>{item.orgName}</a>
            </p>
            <p>{item.summary}</p>
            <dl class="facts">
              <dt>Rating</dt>
              <dd>{formatRating(item)}</dd>
              <dt>Downloads</dt>
              <dd>{formatCount(item.downloads)}</dd>
              <dt>Latest version</dt>
              <dd>{item.latestVersion ?? "none"}</dd>
              <dt>Category</dt>
              <dd>
                <a href={`/search?category=${encodeURIComponent(item.category)}`}>{item.category}</a>
              </dd>
              <dt>Updated</dt>
              <dd>
                <DateText ms={item.updatedAt} />
              </dd>
            </dl>
            {item.tags.length > 0 && (
              <ul class="tags" aria-label="Tags">
                {item.tags.map((tag) => (
                  <li>
                    <a href={`/search?tag=${encodeURIComponent(tag)}`}>{tag}</a>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <BuyBox item={item} problem={checkoutProblem} offSale={offSale} />
        </div>
        <Screenshots item={item} />
        <section aria-labelledby="description">
          <h2 id="description">Description</h2>
          {item.description ? <Markdown source={item.description} headingOffset={2} /> : <p class="muted">No description.</p>}
        </section>
        <section aria-labelledby="versions">
          <h2 id="versions">Versions</h2>
          <Versions versions={versions} highlight={highlight} />
        </section>
        <section aria-labelledby="reviews">
          <h2 id="reviews">Reviews</h2>
          <Reviews item={item} reviews={reviews} moreReviews={moreReviews} />
        </section>
        <p class="muted small">
          Spam, malware or someone else's work? <a href={reportPath(item.slug)}>Report this item</a> to Plaza's operators.
        </p>
      </article>
    </Layout>
  );
}
