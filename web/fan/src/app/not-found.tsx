import Link from "next/link";

export default function NotFound() {
  return (
    <>
      <h1>ページが見つかりません</h1>
      <p lang="en">Page not found.</p>
      <p>
        <Link href="/">ホームへ戻る</Link>
      </p>
    </>
  );
}
