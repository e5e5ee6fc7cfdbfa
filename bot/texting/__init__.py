"""Text messages to phones: 알림톡 with an SMS or LMS fallback, beside Telegram and e-mail.

`provider` is the one interface every provider speaks, `nhn` the real one (NHN Cloud
KakaoTalk Bizmessage), `sandbox` the one tests and demos use, and `transport` the outbox
transport that decides, per row, whether a notice goes by text.
"""
