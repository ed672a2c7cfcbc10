import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";

import { Header } from "@/components/Header";
import { AuthProvider } from "@/lib/auth";

import "@oshi/shared/ui/base.css";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "推しガチャ 管理画面", template: "%s | 推しガチャ 管理画面" },
  description: "VTuberスタジオと運営管理画面",
  robots: { index: false, follow: false },
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#7a2e8e" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="ja">
      <body>
        <AuthProvider>
          <Header />
          <main id="main" tabIndex={-1}>
            {children}
          </main>
        </AuthProvider>
      </body>
    </html>
  );
}
