import { Layout } from "./layout";

const COPY = {
  400: { title: "Bad request", lead: "Some of the search options are not valid." },
  404: { title: "Not found", lead: "There is nothing here. The item may have been unpublished or removed." },
  413: { title: "Too large", lead: "That request was larger than any form on this site sends." },
  500: { title: "Something went wrong", lead: "Something went wrong on our side. Please try again in a moment." },
} as const;

export function ErrorPage({ status, problems = [] }: { status: keyof typeof COPY; problems?: string[] }) {
  const { title, lead } = COPY[status];
  return (
    <Layout title={title} description={lead}>
      <h1>{title}</h1>
      <p>{lead}</p>
      {problems.length > 0 && (
        <ul>
          {problems.map((p) => (
            <li>{p}</li>
          ))}
        </ul>
      )}
      <p>
        <a href="/">Go to the storefront</a> or <a href="/search">browse everything</a>.
      </p>
    </Layout>
  );
}
