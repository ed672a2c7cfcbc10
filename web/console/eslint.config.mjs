import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import jsxA11y from "eslint-plugin-jsx-a11y";

const config = [
  ...nextVitals,
  ...nextTs,
  // jsx-a11y's strict set on top of the few rules Next enables.
  { files: ["src/**/*.tsx"], rules: { ...jsxA11y.flatConfigs.strict.rules } },
  { ignores: [".next/**", "out/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
];

export default config;
