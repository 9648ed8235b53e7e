"""Security foundations: the HTML sanitiser, SSRF rules, keys at rest, passwords, rate limits."""
