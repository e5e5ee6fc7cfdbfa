"""The KakaoTalk channel: Kakao i Open Builder's skill requests answered by the same handlers
and texts as Telegram (the bridge), rendered as Kakao's bubbles."""
