// A stand-in for https://telegram.org/js/telegram-web-app.js, as the Telegram client gives it
// to a Mini App: launch parameters from the URL's hash (tgWebAppData, tgWebAppThemeParams),
// window.Telegram.WebApp with the parts the dashboard uses, and events delivered the way the
// client delivers them, through window.Telegram.WebView.receiveEvent(name, data).
(() => {
  "use strict";
  const hash = new URLSearchParams(location.hash.slice(1));
  const initData = hash.get("tgWebAppData") || "";
  const data = new URLSearchParams(initData);
  const handlers = {};
  let themeParams = JSON.parse(hash.get("tgWebAppThemeParams") || "{}");

  function schemeOf(params) {
    const color = /^#([0-9a-f]{6})$/i.exec(params.bg_color || "#ffffff");
    const value = parseInt(color ? color[1] : "ffffff", 16);
    const luma = 0.2126 * (value >> 16) + 0.7152 * ((value >> 8) & 255) + 0.0722 * (value & 255);
    return luma < 120 ? "dark" : "light";
  }

  function emit(name, ...args) {
    for (const handler of handlers[name] || []) handler.apply(WebApp, args);
  }

  function button(pressed) {
    const self = {
      isVisible: false,
      text: "",
      onClick(fn) { (handlers[pressed] = handlers[pressed] || []).push(fn); return self; },
      offClick(fn) { handlers[pressed] = (handlers[pressed] || []).filter((f) => f !== fn); return self; },
      show() { self.isVisible = true; return self; },
      hide() { self.isVisible = false; return self; },
      setText(text) { self.text = String(text); return self; },
      setParams(params) { if ("text" in params) self.text = String(params.text); return self; },
    };
    return self;
  }

  const WebApp = {
    initData,
    initDataUnsafe: {
      query_id: data.get("query_id") || undefined,
      user: data.get("user") ? JSON.parse(data.get("user")) : undefined,
      auth_date: Number(data.get("auth_date")) || undefined,
      hash: data.get("hash") || undefined,
    },
    version: hash.get("tgWebAppVersion") || "8.0",
    platform: hash.get("tgWebAppPlatform") || "unknown",
    get themeParams() { return themeParams; },
    get colorScheme() { return schemeOf(themeParams); },
    isExpanded: false,
    BackButton: button("backButtonClicked"),
    MainButton: button("mainButtonClicked"),
    openedLinks: [],
    ready() {},
    expand() { WebApp.isExpanded = true; },
    close() {},
    onEvent(name, fn) { (handlers[name] = handlers[name] || []).push(fn); },
    offEvent(name, fn) { handlers[name] = (handlers[name] || []).filter((f) => f !== fn); },
    openLink(url) { WebApp.openedLinks.push(url); },
    openTelegramLink(url) { WebApp.openedLinks.push(url); },
  };

  const WebView = {
    receiveEvent(name, payload) {
      if (name === "back_button_pressed") emit("backButtonClicked");
      else if (name === "main_button_pressed") emit("mainButtonClicked");
      else if (name === "theme_changed") {
        themeParams = (payload && payload.theme_params) || {};
        emit("themeChanged");
      }
    },
  };

  window.Telegram = { WebApp, WebView };
})();
