// Tells GOV.UK Frontend's CSS that JavaScript runs (GOV.UK's template does this inline,
// which Concord's Content-Security-Policy forbids).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
