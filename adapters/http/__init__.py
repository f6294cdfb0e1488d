"""HTTP pieces shared by every adapter: retry policy, auth flows, rate-limit headers, status mapping."""
