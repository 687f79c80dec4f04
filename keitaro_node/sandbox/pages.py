"""HTML pages a client may meet instead of JSON: the admin panel and a CDN block page."""

from __future__ import annotations

ADMIN_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Keitaro</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/admin/assets/app.css">
</head>
<body class="login-page">
<div id="app">
  <noscript>Keitaro admin panel needs JavaScript enabled.</noscript>
  <div class="loading">Loading Keitaro&hellip;</div>
</div>
<script src="/admin/assets/app.js"></script>
</body>
</html>
"""


def cloudflare_page(ray_id: str, host: str) -> str:
    """A Cloudflare "Access denied" page (error 1010: banned browser signature)."""
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<title>Access denied | {host} used Cloudflare to restrict access</title>
<meta charset="UTF-8">
</head>
<body>
<div id="cf-wrapper">
  <div id="cf-error-details">
    <h1><span class="cf-error-type">Error</span> <span class="cf-error-code">1010</span></h1>
    <span class="cf-footer-item">Ray ID: <strong>{ray_id}</strong></span>
    <h2>Access denied</h2>
    <p>The owner of this website ({host}) has banned your access based on your browser's
    signature ({ray_id}-ua48).</p>
    <p>Performance &amp; security by Cloudflare</p>
  </div>
</div>
</body>
</html>
"""
