/** GET /api/me/spending (a minor's monthly cap). Older servers lack it: then nothing is shown. */
import { session } from "./api";

export interface Spending {
  month: string;
  monthly_cap_jpy: number | null;
  spent_jpy: number;
  remaining_jpy: number | null;
}

export async function fetchSpending(): Promise<Spending | null> {
  const token = await session.ensureToken();
  if (!token) return null;
  try {
    const response = await fetch("/api/me/spending", {
      headers: { Authorization: `Bearer ${token}`, "X-Oshi-Client": "web" },
    });
    return response.ok ? ((await response.json()) as Spending) : null;
  } catch {
    return null;
  }
}
