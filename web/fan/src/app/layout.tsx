import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";

import { Footer } from "@/components/Footer";
import { Header } from "@/components/Header";
import { I18nProvider } from "@/lib/i18n";

import "@oshi/shared/ui/base.css";

export const metadata: Metadata = {
  title: { default: "推しガチャ", template: "%s | 推しガチャ" },
  description: "VTuberのデジタルグッズが当たるオンラインガチャ。提供割合はすべて公開しています。",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#7a2e8e" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="ja">
      <body>
        <I18nProvider>
          <Header />
          <main id="main" tabIndex={-1}>
            {children}
          </main>
          <Footer />
        </I18nProvider>
      </body>
    </html>
  );
}
