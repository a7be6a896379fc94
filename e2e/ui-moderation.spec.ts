// [4/6] The browser story on one node with SQLite: see support/moderation-story.ts.
import { privateRoomStory } from "./support/moderation-story";
import { test } from "./support/server";

test("an owner's private room: invite, appoint a moderator, refuse a stranger, mute then ban a spammer, one log everywhere", async ({
  browser,
  baseURL,
}) => {
  const url = baseURL ?? "";
  await privateRoomStory(browser, { alice: url, bob: url, eve: url, carol: url, dave: url });
});
