import { describe, expect, it } from "vitest";

import { editorProblems, fieldProblems } from "./errors";

describe("the API's problems on the editor's fields", () => {
  it("puts asset problems on the prize's asset list and the last-one prize's on its own fields", () => {
    const problems = fieldProblems({
      error: {
        code: "GACHA_INVALID",
        details: [
          { field: "prizes.0.asset_ids.1", message: "x is pending, not validated", type: "asset_not_validated" },
          { field: "prizes.2.asset_ids.0", message: "y is not one of your assets", type: "asset_not_found" },
          { field: "prizes.2.preview_asset_id", message: "a preview is an image", type: "preview_kind" },
          { field: "prizes.1.tickets", message: "a box prize has 1 or more tickets", type: "out_of_bounds" },
          { field: "ceiling", message: "with a ceiling…", type: "ceiling_stock" },
        ],
      },
    });
    expect(editorProblems(problems, 2)).toEqual({
      "prizes.0.asset_ids": "x is pending, not validated",
      "last_one.asset_ids": "y is not one of your assets",
      "last_one.preview_asset_id": "a preview is an image",
      "prizes.1.tickets": "範囲外の値です",
      ceiling: "天井を設定するときは、最高レアリティの景品を数量限定にできません",
    });
  });
});
