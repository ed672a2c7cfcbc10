import type { NextConfig } from "next";

// A static export served from the console's OWN origin (locally 127.0.0.1:<console port> by
// local/gateway.py with /api on the same port; on AWS its own CloudFront distribution), never the fan app's.
const config: NextConfig = {
  output: "export",
  trailingSlash: true,
  images: { unoptimized: true },
  transpilePackages: ["@oshi/shared"],
  reactStrictMode: true,
  poweredByHeader: false,
};

export default config;
