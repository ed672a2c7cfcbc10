"use client";
import { Dialog } from "@oshi/shared";
import type { ReactNode } from "react";

/** A yes/no question before an action that cannot be undone (withdraw an item, cancel a campaign). */
export function Confirm({
  open,
  title,
  confirmLabel,
  onConfirm,
  onCancel,
  children,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} title={title} onClose={onCancel}>
      <p>{children}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          やめる
        </button>
      </div>
    </Dialog>
  );
}
