/**
 * The storefront's one stylesheet, inlined into every page: no extra request, nothing to cache
 * separately, and no client JS. System fonts; colours meet WCAG AA contrast; honours dark mode.
 */
export const STOREFRONT_CSS = `
:root{color-scheme:light dark;--fg:#1b1d21;--muted:#555b66;--bg:#fff;--panel:#f5f6f8;--line:#d9dce1;--accent:#2346c7;--accent-fg:#fff;--radius:10px}
@media (prefers-color-scheme:dark){:root{--fg:#eceef2;--muted:#a9afba;--bg:#14161a;--panel:#1d2026;--line:#343842;--accent:#8aa4ff;--accent-fg:#0d1020}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.skip-link{position:absolute;left:-999px}.skip-link:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem;z-index:1}
.wrap{max-width:1080px;margin:0 auto;padding:0 1rem}
header.site{border-bottom:1px solid var(--line);background:var(--panel)}
header.site .wrap{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;padding-block:.75rem}
.brand{font-weight:700;font-size:1.25rem;text-decoration:none;color:var(--fg)}
header.site search{flex:1;min-width:14rem}header.site form{display:flex;gap:.5rem}
header.site nav a{margin-left:.75rem}
main.wrap{padding-top:1.5rem;padding-bottom:3rem}
footer.site{border-top:1px solid var(--line);color:var(--muted);font-size:.9rem;padding-block:1rem}
footer.site .wrap{display:flex;gap:.5rem 1.5rem;flex-wrap:wrap;justify-content:space-between}footer.site nav{display:flex;gap:.4rem 1rem;flex-wrap:wrap}
.legal{max-width:46rem}.legal li{margin:.35rem 0}.faq dt{font-weight:600;margin-top:1rem}.faq dd{margin:.25rem 0 0}
.terms-note{margin:.75rem 0 0}
h1{font-size:1.9rem;line-height:1.2;margin:.2rem 0 .5rem}h2{font-size:1.3rem;margin:2rem 0 .75rem}
.muted{color:var(--muted)}
input,select,button,.button{font:inherit;padding:.45rem .7rem;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--fg)}
input[type=search]{flex:1;min-width:0}
button,.button{background:var(--accent);color:var(--accent-fg);border-color:var(--accent);cursor:pointer;text-decoration:none;display:inline-block;font-weight:600}
.button.big{padding:.7rem 1.4rem;font-size:1.1rem}
.cards{list-style:none;padding:0;margin:0;display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,minmax(230px,1fr))}
.card{border:1px solid var(--line);border-radius:var(--radius);padding:1rem;background:var(--panel);display:flex;flex-direction:column;gap:.35rem;height:100%}
.card h3{margin:0;font-size:1.05rem}.card p{margin:0}
.card .meta{margin-top:auto;font-size:.9rem;color:var(--muted);display:flex;gap:.75rem;flex-wrap:wrap}
.icon{width:48px;height:48px;border-radius:10px;object-fit:cover;background:var(--line)}
.icon.large{width:96px;height:96px;border-radius:18px}
.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;margin-bottom:1.25rem}
.filters label{display:flex;flex-direction:column;font-size:.9rem;color:var(--muted);gap:.2rem}
.item-head{display:flex;gap:1.25rem;align-items:flex-start;flex-wrap:wrap}
.item-head .grow{flex:1;min-width:16rem}
.buy{border:1px solid var(--line);border-radius:var(--radius);padding:1rem;background:var(--panel);min-width:14rem}
.price{font-size:1.4rem;font-weight:700;margin:0 0 .5rem}
.small{font-size:.88rem}.buy .small{margin:.35rem 0 0;max-width:18rem}
.buy form.guest{display:flex;flex-direction:column;gap:.4rem;margin-top:1rem;padding-top:1rem;border-top:1px solid var(--line)}
.buy form.guest label{font-weight:600}
.problem{border:1px solid #b42318;color:#b42318;background:#fef3f2;border-radius:8px;padding:.5rem .7rem;max-width:18rem}
@media (prefers-color-scheme:dark){.problem{background:#2a1414;color:#ffb4a8;border-color:#ffb4a8}}
.notice{border:1px solid var(--line);background:var(--panel);border-radius:var(--radius);padding:1rem 1.25rem;max-width:40rem}
.license-key{font-size:1.15rem;letter-spacing:.05em;user-select:all}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;align-items:center}
dl.facts{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:.75rem 0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.tags{list-style:none;padding:0;display:flex;gap:.4rem;flex-wrap:wrap}
.tags a{display:inline-block;padding:.1rem .55rem;border:1px solid var(--line);border-radius:999px;text-decoration:none;font-size:.9rem}
.markdown{overflow-wrap:anywhere}.markdown img{max-width:100%}
.markdown pre{background:var(--panel);padding:.75rem;border-radius:8px;overflow:auto}
.versions{list-style:none;padding:0}.versions li{border-top:1px solid var(--line);padding:.75rem 0}
.versions li.highlight{background:var(--panel);border-left:4px solid var(--accent);padding-left:.75rem}
.reviews{list-style:none;padding:0}.reviews li{border-top:1px solid var(--line);padding:.75rem 0}
.reply{margin:.5rem 0 0 1rem;padding-left:.75rem;border-left:3px solid var(--line)}
.screens{display:flex;gap:.75rem;overflow-x:auto}.screens .media{border-radius:8px;border:1px solid var(--line)}
.media{position:relative;display:inline-block;flex:none;align-self:flex-start;line-height:0;overflow:hidden}.media>img{position:relative;max-width:none}
.media>.placeholder{position:absolute;inset:0;width:100%;height:100%;object-fit:cover;filter:blur(8px);transform:scale(1.1)}
.media:has(>.icon){border-radius:10px}.media:has(>.icon.large){border-radius:18px}.media>.icon{background:none}
.pager{margin-top:1.5rem}
`;
