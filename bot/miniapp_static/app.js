// The dashboard Mini App: signs in with Telegram's initData, then reads the bot's API.
// No framework: a few screens drawn with the DOM, charts as small SVG of our own.
(() => {
  "use strict";

  const tg = (window.Telegram && window.Telegram.WebApp) || null;
  const ALL_TEXTS = JSON.parse(document.getElementById("texts").textContent);
  // Which of a channel's screens are on (a switched-off feature's API is not served).
  const SCREENS_ON = JSON.parse(document.getElementById("screens").textContent);
  const RUSSIAN_READERS = ["ru", "uk", "be", "kk"];
  const PERIODS = [7, 30, 90];
  const SVG = "http://www.w3.org/2000/svg";
  const main = document.getElementById("app");

  let locale = "en";
  let token = null;
  let timeZone = null; // the user's, as set in the bot's /settings
  const screens = []; // the stack the BackButton pops
  let mainAction = null; // what the MainButton does on the screen shown
  let startChannel = new URLSearchParams(location.search).get("channel");

  // ---------------------------------------------------------------- texts, numbers, dates

  function localeFor(code) {
    const language = String(code || "").replace("_", "-").split("-")[0].toLowerCase();
    return RUSSIAN_READERS.includes(language) ? "ru" : "en";
  }

  function t(name, values) {
    const text = (ALL_TEXTS[locale] || ALL_TEXTS.en)[name] || ALL_TEXTS.en[name] || name;
    return text.replace(/\{(\w+)\}/g, (all, key) => (values && key in values ? values[key] : all));
  }

  function number(value, digits) {
    if (value === null || value === undefined) return "–";
    const options = digits === undefined ? { maximumFractionDigits: 1 } : {
      minimumFractionDigits: digits, maximumFractionDigits: digits,
    };
    return new Intl.NumberFormat(locale, options).format(value);
  }

  function signed(value) {
    if (value === null || value === undefined) return "–";
    return (value > 0 ? "+" : value < 0 ? "−" : "") + number(Math.abs(value));
  }

  function shortDay(iso) {
    const [year, month, day] = iso.slice(0, 10).split("-").map(Number);
    return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" })
      .format(new Date(Date.UTC(year, month - 1, day)));
  }

  function moment(iso, timeZone) {
    // On the owner's clock, as /stats shows it.
    return new Intl.DateTimeFormat(locale, {
      day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      timeZone: timeZone || undefined,
    }).format(new Date(iso));
  }

  function weekday(index) {
    // 2024-01-01 was a Monday, weekday 0 as the API counts.
    return new Intl.DateTimeFormat(locale, { weekday: "short", timeZone: "UTC" })
      .format(new Date(Date.UTC(2024, 0, 1 + index)));
  }

  function hourLabel(hour) {
    return String(hour).padStart(2, "0") + ":00";
  }

  // ---------------------------------------------------------------------------- the DOM

  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
      else if (value !== null && value !== undefined && value !== false) element.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  function s(tag, attributes, ...children) {
    const element = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, value);
    for (const child of children.flat()) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  function show(...children) {
    main.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined));
    window.scrollTo(0, 0);
  }

  function notice(text, kind) {
    return h("p", { class: "notice" + (kind ? " " + kind : ""), role: "status" }, text);
  }

  // ---------------------------------------------------------------------------- theme

  const THEME = {
    bg_color: "--bg", text_color: "--text", hint_color: "--hint", link_color: "--link",
    button_color: "--button", button_text_color: "--button-text", secondary_bg_color: "--card",
  };

  function applyTheme() {
    const root = document.documentElement;
    root.dataset.scheme = tg && tg.colorScheme === "dark" ? "dark" : "light";
    const params = (tg && tg.themeParams) || {};
    for (const [param, variable] of Object.entries(THEME)) {
      if (params[param]) root.style.setProperty(variable, params[param]);
      else root.style.removeProperty(variable);
    }
  }

  // ------------------------------------------------------------- Telegram's two buttons

  function setMainButton(text, action) {
    mainAction = action;
    if (!tg) return;
    if (text) {
      tg.MainButton.setText(text);
      tg.MainButton.show();
    } else {
      tg.MainButton.hide();
    }
  }

  function open(screen) {
    screens.push(screen);
    render();
  }

  function back() {
    if (screens.length > 1) {
      screens.pop();
      render();
    }
  }

  function render() {
    const screen = screens[screens.length - 1];
    if (tg) {
      if (screens.length > 1) tg.BackButton.show();
      else tg.BackButton.hide();
    }
    setMainButton(null, null);
    screen().catch(failed);
  }

  // ---------------------------------------------------------------------------- the API

  class Problem extends Error {
    constructor(status, type, detail) {
      super(detail);
      this.status = status;
      this.type = String(type).split("/").pop();
      // The page says in the user's language what went wrong; never the API's English.
      this.detail = t(PROBLEM_TEXTS[this.type] || (status >= 500 ? "unavailable" : "error"));
    }
  }

  // Every problem type bot/api/problems.py answers with, by the page text that explains it.
  const PROBLEM_TEXTS = {
    "plan-limit": "plan_limit",
    "channel-not-found": "channel_not_found",
    "rule-not-found": "rule_not_found",
    "share-not-found": "share_not_found",
    "rate-limited": "rate_limited",
    "unavailable": "unavailable",
    "internal-error": "error",
    "read-only-key": "read_only",
    "invalid-period": "invalid_period",
    "invalid-parameters": "invalid_request",
    "invalid-cursor": "invalid_request",
    "invalid-thresholds": "invalid_request",
    "unauthorized": "reopen_body",
    "invalid-init-data": "reopen_body",
    "http-404": "error",
    "http-405": "error",
    "http-413": "invalid_request",
  };

  async function api(method, path, body, retried) {
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401 && token && !retried) {
      // The session ran out (an hour): Telegram's initData signs in again while it is fresh.
      token = null;
      await signIn();
      return api(method, path, body, true);
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Problem(response.status, data.type, data.detail || data.title || "");
    return data;
  }

  function failed(error) {
    if (error instanceof Problem && error.status === 401) {
      reopen();
      return;
    }
    main.prepend(notice(error instanceof Problem && error.detail ? error.detail : t("error")));
  }

  function reopen() {
    token = null;
    screens.length = 0;
    if (tg) {
      tg.BackButton.hide();
      tg.MainButton.hide();
    }
    document.body.classList.add("signed-out");
    show(h("h1", {}, t("reopen_title")), h("p", {}, t("reopen_body")));
  }

  // ------------------------------------------------------------------------- the charts

  const WIDTH = 340;

  function lineChart(values, labels) {
    const height = 140, left = 34, bottom = 20, top = 8;
    const known = values.filter((v) => v !== null);
    if (!known.length) return null;
    let low = Math.min(...known), high = Math.max(...known);
    if (low === high) { low -= 1; high += 1; }
    const x = (i) => left + (values.length < 2 ? 0 : (i * (WIDTH - left - 4)) / (values.length - 1));
    const y = (v) => top + ((high - v) * (height - top - bottom)) / (high - low);
    let path = "", started = false, firstX = 0, lastX = 0;
    values.forEach((v, i) => {
      if (v === null) return;
      path += (started ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1) + " ";
      if (!started) firstX = x(i);
      lastX = x(i);
      started = true;
    });
    const base = height - bottom;
    return s("svg", { class: "chart", viewBox: `0 0 ${WIDTH} ${height}`, role: "img" },
      s("line", { class: "axis", x1: left, y1: base, x2: WIDTH, y2: base }),
      s("text", { x: left - 4, y: top + 8, "text-anchor": "end" }, number(high, 0)),
      s("text", { x: left - 4, y: base, "text-anchor": "end" }, number(low, 0)),
      s("path", { class: "area", d: `${path}L${lastX.toFixed(1)} ${base} L${firstX.toFixed(1)} ${base} Z` }),
      s("path", { class: "line", d: path }),
      s("text", { x: left, y: height - 4 }, labels[0]),
      s("text", { x: WIDTH, y: height - 4, "text-anchor": "end" }, labels[labels.length - 1]));
  }

  function barChart(values, labels, bestIndex) {
    const height = 140, left = 34, bottom = 20, top = 8;
    const high = Math.max(1, ...values.map((v) => v || 0));
    const step = (WIDTH - left) / Math.max(values.length, 1);
    const bars = values.map((v, i) => {
      const barHeight = ((v || 0) * (height - top - bottom)) / high;
      return s("rect", {
        class: "bar" + (i === bestIndex ? " best" : ""),
        x: (left + i * step + step * 0.15).toFixed(1),
        y: (height - bottom - barHeight).toFixed(1),
        width: Math.max(step * 0.7, 1).toFixed(1),
        height: barHeight.toFixed(1),
      });
    });
    return s("svg", { class: "chart", viewBox: `0 0 ${WIDTH} ${height}`, role: "img" },
      s("line", { class: "axis", x1: left, y1: height - bottom, x2: WIDTH, y2: height - bottom }),
      s("text", { x: left - 4, y: top + 8, "text-anchor": "end" }, number(high, 0)),
      s("text", { x: left - 4, y: height - bottom, "text-anchor": "end" }, "0"),
      bars,
      s("text", { x: left, y: height - 4 }, labels[0] || ""),
      s("text", { x: WIDTH, y: height - 4, "text-anchor": "end" }, labels[labels.length - 1] || ""));
  }

  // ------------------------------------------------------------------------ the numbers

  function trend(current, previous) {
    if (current === null || previous === null || previous === undefined || previous === 0) return null;
    const change = ((current - previous) * 100) / Math.abs(previous);
    const direction = change > 0 ? "up" : change < 0 ? "down" : "";
    const arrow = change > 0 ? "▲" : change < 0 ? "▼" : "→";
    return h("span", { class: "trend " + direction, title: t("vs_previous") },
      `${arrow} ${number(Math.abs(change), 0)}%`);
  }

  function keyNumber(label, text, current, previous, name) {
    return h("div", { class: "number", "data-name": name },
      h("div", { class: "label" }, label),
      h("div", { class: "value" }, text),
      trend(current, previous));
  }

  function keyNumbers(report) {
    const now = report.current, before = report.previous;
    const percent = (v) => (v === null ? "–" : number(v, 1) + "%");
    return h("div", { class: "numbers" },
      keyNumber(t("subscribers"), number(now.subscribers), now.subscribers, before.subscribers, "subscribers"),
      keyNumber(t("growth"), signed(now.subscriber_change), null, null, "growth"),
      keyNumber(t("joins"), number(now.joins), now.joins, before.joins, "joins"),
      keyNumber(t("leaves"), number(now.leaves), now.leaves, before.leaves, "leaves"),
      keyNumber(t("posts"), number(now.posts), now.posts, before.posts, "posts"),
      keyNumber(t("views_per_post"), number(now.average_reach, 0), now.average_reach, before.average_reach, "views_per_post"),
      keyNumber(t("err"), percent(now.err), now.err, before.err, "err"),
      keyNumber(t("engagement"), percent(now.engagement_rate), now.engagement_rate, before.engagement_rate, "engagement"));
  }

  function viewsNote(status) {
    const note = { pending: "views_pending", private: "views_private", failing: "views_failing" }[status];
    return note ? h("p", { class: "hint" }, t(note)) : null;
  }

  function thresholds(limits) {
    // What the rule watches for, in figures: 5% / 100 within 24 h, 1,000 within 24 h, ×3.
    const change = [];
    if (limits.percent !== null && limits.percent !== undefined) change.push(number(limits.percent) + "%");
    if (limits.amount !== null && limits.amount !== undefined) change.push(number(limits.amount));
    const parts = change.length ? [change.join(" / ")] : [];
    if (limits.hours) parts.push(t("alert_within", { hours: number(limits.hours) }));
    if (limits.factor) parts.push("×" + number(limits.factor));
    return parts.join(" ");
  }

  function telegramLink(url, ...children) {
    return h("a", {
      href: url, target: "_blank", rel: "noopener noreferrer",
      onclick: (event) => {
        if (tg && tg.openTelegramLink && url.startsWith("https://t.me/")) {
          event.preventDefault();
          tg.openTelegramLink(url);
        }
      },
    }, ...children);
  }

  // ------------------------------------------------------------------------- the screens

  async function periodPosts(channel, period) {
    // The period's posts with their views, a page at a time as the API gives them.
    const posts = [];
    let cursor = null;
    for (let page = 0; page < 10; page += 1) {
      const query = `from=${period.first_day}&to=${period.last_day}&limit=200` +
        (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
      const result = await api("GET", `/api/v1/channels/${channel.id}/posts?${query}`);
      posts.push(...result.items.filter((post) => post.views !== null));
      cursor = result.next_cursor;
      if (!cursor) break;
    }
    return posts;
  }

  function channelsScreen() {
    return async () => {
      const { items } = await api("GET", "/api/v1/channels");
      const cards = items.map((channel) => {
        const figures = h("div", { class: "row hint" }, t("loading"));
        const card = h("button", { class: "card", "data-channel": channel.id, onclick: () => open(channelScreen(channel, 30)) },
          h("div", { class: "row" }, h("strong", {}, channel.title), h("span", {}, number(channel.subscribers))),
          channel.username ? h("div", { class: "hint" }, "@" + channel.username) : null,
          figures);
        api("GET", `/api/v1/channels/${channel.id}/report?period=7d`).then((report) => {
          figures.replaceChildren(
            h("span", {}, `${t("growth")}: ${signed(report.current.subscriber_change)} · ${t("days_7")}`),
            h("span", {}, `${t("views_per_post")}: ${number(report.current.average_reach, 0)} `,
              trend(report.current.average_reach, report.previous.average_reach)));
        }).catch((error) => figures.replaceChildren(error.detail || t("error")));
        return card;
      });
      show(h("h1", {}, t("my_channels")), cards.length ? cards : h("p", { class: "hint" }, t("no_channels")));
      // Opened from a channel's Open dashboard button: that channel, the list a Back away.
      const asked = items.find((channel) => String(channel.id) === startChannel);
      startChannel = null;
      if (asked) open(channelScreen(asked, 30));
    };
  }

  function channelScreen(channel, days) {
    let period = days;
    return async () => {
      const periods = h("div", { class: "periods", role: "group" },
        PERIODS.map((n) => h("button", {
          "data-days": n, "aria-pressed": String(n === period),
          onclick: () => { period = n; render(); },
        }, t("days_" + n))));
      const header = [
        h("h1", {}, channel.title),
        periods,
        h("div", { class: "actions" },
          SCREENS_ON.alerts && h("button", { onclick: () => open(alertsScreen(channel)) }, t("alerts")),
          SCREENS_ON.share_links && h("button", { onclick: () => open(sharesScreen(channel, period)) }, t("share_links")),
          SCREENS_ON.insights && h("button", { onclick: () => open(insightsScreen(channel)) }, t("insights"))),
      ];
      show(header, h("p", { class: "hint" }, t("loading")));
      setMainButton(SCREENS_ON.share_links ? t("share_links") : null, () => open(sharesScreen(channel, period)));
      let report, posts;
      try {
        report = await api("GET", `/api/v1/channels/${channel.id}/report?period=${period}d`);
        posts = await periodPosts(channel, report.period);
      } catch (error) {
        if (error instanceof Problem && error.status !== 401) {
          show(header, notice(error.detail || t("error")));
          return;
        }
        throw error;
      }
      const days = report.days;
      const hours = Array.from({ length: 24 }, (_, hour) => {
        const slot = report.best_hours.find((item) => item.hour === hour);
        return slot ? slot.mean_views : 0;
      });
      const best = report.best_hours.length ? report.best_hours[0] : null;
      show(header,
        h("p", { class: "hint", "data-period": `${report.period.first_day}/${report.period.last_day}` },
          `${shortDay(report.period.first_day)} – ${shortDay(report.period.last_day)}`),
        keyNumbers(report),
        viewsNote(report.views_status),
        h("h2", {}, t("growth_chart")),
        h("div", { "data-chart": "growth" },
          lineChart(days.map((d) => (d.subscribers === null ? null : d.subscribers)), days.map((d) => shortDay(d.day)))
          || lineChart(days.map((d) => d.net_growth_to_date), days.map((d) => shortDay(d.day)))),
        h("h2", {}, t("views_chart")),
        h("div", { "data-chart": "views" },
          posts.length ? barChart(posts.map((p) => p.views), [shortDay(posts[0].posted_at), shortDay(posts[posts.length - 1].posted_at)])
            : h("p", { class: "hint" }, t("no_posts"))),
        h("h2", {}, t("best_time")),
        best ? h("div", { "data-chart": "best_time" },
          h("p", {}, t("best_slot", {
            days: report.best_weekdays.slice(0, 2).map((slot) => weekday(slot.weekday)).join(", "),
            hours: report.best_hours.slice(0, 2).map((slot) => hourLabel(slot.hour)).join(", "),
          })),
          barChart(hours, ["00:00", "23:00"], best.hour),
          h("p", { class: "hint" }, t("best_time_hint", { time_zone: report.time_zone })))
          : h("p", { class: "hint" }, t("no_best_time")),
        h("h2", {}, t("top_posts")),
        report.top_by_views.length ? h("ol", { class: "posts" }, report.top_by_views.map((post) => h("li", {},
          post.url ? telegramLink(post.url, post.text || t("no_text")) : (post.text || t("no_text")),
          h("div", { class: "hint" },
            `${moment(post.posted_at, report.time_zone)} · ${number(post.views)} ${t("views")} · ${number(post.reactions)} ${t("reactions")}`))))
          : h("p", { class: "hint" }, t("no_posts")));
    };
  }

  function alertsScreen(channel) {
    return async () => {
      const { items } = await api("GET", `/api/v1/channels/${channel.id}/alerts`);
      const list = items.map((rule) => h("div", { class: "card row", "data-rule": rule.id },
        h("div", {}, h("div", {}, t("alert_kind_" + rule.kind)), h("div", { class: "hint" }, thresholds(rule.thresholds)), rule.paused ? h("div", { class: "badge" }, t("paused")) : null),
        h("button", {
          class: "small",
          onclick: async () => {
            await api("PATCH", `/api/v1/alerts/${rule.id}`, { paused: !rule.paused }).then(render, failed);
          },
        }, rule.paused ? t("resume") : t("pause"))));
      show(h("h1", {}, `${t("alerts")} · ${channel.title}`),
        list.length ? list : h("p", { class: "hint" }, t("no_alerts")));
    };
  }

  function featureLabel(feature) {
    const [kind, value] = feature.split(":");
    return kind === "word" ? t("feature_word", { word: value }) : t("feature_" + feature);
  }

  function insightsScreen(channel) {
    return async () => {
      const found = await api("GET", `/api/v1/channels/${channel.id}/insights`);
      const title = h("h1", {}, `${t("insights")} · ${channel.title}`);
      if (!found.trained) {
        show(title, h("p", { class: "hint", "data-insights": "not-yet" }, found.posts_needed > 0
          ? t("insights_not_yet", { count: number(found.posts_needed) }) : t("insights_not_trained")));
        return;
      }
      const quality = found.quality;
      show(title,
        h("p", { class: "hint", "data-insights": "quality" }, t("insights_quality", {
          posts: number(quality.posts), holdout: number(quality.holdout_posts),
          model: number(quality.model_error, 2), baseline: number(quality.baseline_error, 2),
        })),
        h("h2", {}, t("insights_effects")),
        found.effects.length ? h("ul", { "data-insights": "effects" }, found.effects.map((effect) => h("li", {},
          t("insights_effect", {
            feature: featureLabel(effect.feature), multiplier: number(effect.multiplier, 2),
            low: number(effect.low, 2), high: number(effect.high, 2),
            with: number(effect.posts_with), without: number(effect.posts_without),
          }))))
          : h("p", { class: "hint" }, t("insights_no_effects")),
        h("h2", {}, t("insights_best_slots")),
        h("ol", { "data-insights": "slots" }, found.best_slots.map((slot) => h("li", {},
          t("insights_slot", {
            time: moment(slot.starts, found.time_zone), views: number(Math.round(slot.views)),
            low: number(Math.round(slot.low)), high: number(Math.round(slot.high)),
          })))));
    };
  }

  function sharesScreen(channel, days) {
    let created = null;
    return async () => {
      const { items } = await api("GET", `/api/v1/channels/${channel.id}/shares`);
      const list = items.map((link) => h("div", { class: "card row", "data-share": link.id },
        h("div", {},
          t("share_period", { days: t("days_" + link.days) }),
          h("div", { class: "hint" },
            t("opened", { count: number(link.open_count) }) + " · " +
            (link.expires_at ? t("expires", { date: moment(link.expires_at, timeZone) }) : t("no_expiry")))),
        h("button", {
          class: "small",
          onclick: () => api("DELETE", `/api/v1/shares/${link.id}`).then(render, failed),
        }, t("revoke"))));
      show(h("h1", {}, `${t("share_links")} · ${channel.title}`),
        created ? h("div", { class: "notice created" }, h("p", {}, t("share_link_created")),
          h("a", { href: created, target: "_blank", rel: "noopener noreferrer", "data-created": "" }, created)) : null,
        list.length ? list : h("p", { class: "hint" }, t("no_share_links")));
      setMainButton(t("create_share_link"), async () => {
        try {
          const link = await api("POST", `/api/v1/channels/${channel.id}/shares`, { days, lifetime_hours: 24 });
          created = link.url;
          render();
        } catch (error) {
          failed(error);
        }
      });
    };
  }

  // ---------------------------------------------------------------------------- start

  async function signIn() {
    const session = await api("POST", "/api/v1/session", { init_data: tg.initData });
    token = session.token;
    locale = session.locale;
    timeZone = session.time_zone;
    document.documentElement.lang = locale;
  }

  async function start() {
    applyTheme();
    if (!tg || !tg.initData) {
      reopen();
      return;
    }
    locale = localeFor(tg.initDataUnsafe && tg.initDataUnsafe.user && tg.initDataUnsafe.user.language_code);
    tg.ready();
    tg.expand();
    tg.onEvent("themeChanged", applyTheme);
    tg.BackButton.onClick(back);
    tg.MainButton.onClick(() => { if (mainAction) mainAction(); });
    try {
      await signIn();
    } catch (error) {
      failed(error);
      return;
    }
    open(channelsScreen());
  }

  start();
})();
