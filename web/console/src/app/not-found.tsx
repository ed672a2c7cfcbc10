import Link from "next/link";

export default function NotFound() {
  return (
    <>
      <h1>ページが見つかりません</h1>
      <p>
        <Link href="/">管理画面のトップへ</Link>
      </p>
    </>
  );
}
