import type { NextConfig } from "next";

// A static export served at the same origin as /api (locally by local/gateway.py, on AWS by CloudFront + S3).
const config: NextConfig = {
  output: "export",
  trailingSlash: true,
  images: { unoptimized: true },
  transpilePackages: ["@oshi/shared"],
  reactStrictMode: true,
  poweredByHeader: false,
};

export default config;
