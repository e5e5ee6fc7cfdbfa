"""Similar-proposal search: 공감's inverted index against a plain ``LIKE '%keyword%'`` scan.

What is measured: the latency of one ``find_similar`` call (the check the proposal wizard
runs after the title and the problem are entered: the morphological analysis of the text,
then the index) over N synthetic Korean proposals, and in
the same run the latency of the naive alternative, a ``LIKE '%keyword%'`` scan over title
and problem that returns the five newest live matches. Each call gets its own session, as a
handler would. The figures are p50 and p95 over ``--queries`` queries after a warm-up, and
the ratio ours / LIKE (below 1 means ours is faster). The goal is p95 under 50 ms at 100,000
proposals. The CPU time of each call (the process's, the database thread's included) is
printed too: on a shared machine the wall-clock p95 mostly measures waiting for a core.

The corpus is deterministic (seeded): proposals combine a 동, a place, an issue (object,
problem, request) and filler phrases; their states follow a plausible mix (most have
expired, a few are hidden). Queries are paraphrases of the issues, written with other
words than the corpus uses, plus the object noun as the LIKE keyword. Loading uses bulk
inserts and the real indexing (the analyser and ``reading.indexed_terms``; a repeated text
is analysed once), then ``ANALYZE`` (SQLite) or ``VACUUM ANALYZE`` (PostgreSQL), as a
running database would have statistics.

    python -m benchmarks.similar_search [--sizes 10000,100000] [--queries 200]
                                        [--backends sqlite,postgres] [--json]

PostgreSQL runs in a throwaway database on the test server (tests/support/databases.py) and
is skipped with a message when unreachable. The exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python benchmarks/similar_search.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import false, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import Proposal, ProposalTerm, User
from bot.domain.lifecycle import LIVE_STATUSES, ProposalStatus
from bot.domain.reading import Analysis, indexed_terms
from bot.morphology import analyse
from bot.services.search import find_similar

GOAL_P95_MS = 50.0
GOAL_SIZE = 100_000
DEFAULT_SIZES = (10_000, 100_000)
DEFAULT_QUERIES = 200
WARMUP_QUERIES = 20
SEED = 20261124
BATCH = 5_000
START = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)

AREAS = (
    "역삼동 삼성동 대치동 청담동 논현동 압구정동 신사동 도곡동 개포동 일원동 수서동 세곡동 "
    "망원동 합정동 서교동 연남동 성산동 상암동 공덕동 아현동 도화동 용강동 대흥동 염리동"
).split()
PLACES = (
    "근린공원", "어린이공원", "골목길", "초등학교 앞", "버스정류장 옆", "지하철역 입구",
    "하천 산책로", "전통시장", "아파트 단지 앞", "주민센터 앞", "경로당 앞", "사거리",
    "도서관 앞", "놀이터", "주택가", "상가 거리", "둘레길", "천변", "체육공원", "먹자골목",
)


@dataclass(frozen=True)
class Issue:
    keyword: str
    title: str
    problems: tuple[str, ...]
    paraphrases: tuple[str, ...]


ISSUES = (
    Issue("가로등", "가로등 설치", ("밤에 너무 어두워서 다니기 무서워요", "가로등이 고장 나서 깜깜해요"),
          ("밤에 불빛이 없어 조명이 필요해요", "어두워서 밝게 해 주셨으면 해요")),
    Issue("주차", "불법주차 단속", ("불법주차 차량 때문에 차가 지나가기 힘들어요", "주차된 차가 인도를 막아요"),
          ("차를 아무 데나 세워서 통행이 어려워요", "주정차 단속 카메라가 필요해요")),
    Issue("쓰레기", "쓰레기 무단투기 방지", ("쓰레기를 몰래 버려서 냄새가 나요", "분리수거가 제대로 안 돼요"),
          ("폐기물을 아무 데나 버려요", "재활용 수거함이 부족해요")),
    Issue("횡단보도", "횡단보도 신호 연장", ("보행신호가 너무 짧아서 건너기 위험해요", "횡단보도가 멀어서 무단횡단을 해요"),
          ("건널목 신호등 시간이 짧아 어르신이 못 건너요", "보행자가 길을 건너기 어려워요")),
    Issue("소음", "야간 소음 단속", ("밤늦게까지 시끄러워서 잠을 못 자요", "공사 소음이 심해요"),
          ("새벽까지 떠들어서 잠을 설쳐요", "확성기 소리가 너무 커요")),
    Issue("놀이터", "놀이터 시설 개선", ("놀이기구가 낡아서 아이들이 다칠까 걱정돼요", "놀이터 바닥이 깨졌어요"),
          ("어린이 놀이 공간이 위험해요", "아이들 놀 곳이 부족해요")),
    Issue("버스", "마을버스 배차 간격 단축", ("버스가 너무 늦게 와서 출근이 힘들어요", "버스 노선이 부족해요"),
          ("정류장에서 한참 기다려야 해요", "마을버스 노선을 늘려 주세요")),
    Issue("자전거", "자전거 도로 정비", ("자전거 도로가 끊겨서 위험해요", "따릉이 대여소가 없어요"),
          ("자전거길이 울퉁불퉁해요", "공유자전거 거치대가 필요해요")),
    Issue("CCTV", "방범 CCTV 설치", ("골목이 으슥해서 범죄가 걱정돼요", "CCTV가 없어서 불안해요"),
          ("귀갓길이 무서워요 방범 카메라가 필요해요", "비상벨이 있었으면 좋겠어요")),
    Issue("경로당", "경로당 프로그램 확대", ("어르신들이 즐길 프로그램이 부족해요", "경로당 시설이 낡았어요"),
          ("노인분들이 갈 곳이 없어요", "어르신 여가 활동이 필요해요")),
    Issue("벤치", "벤치와 그늘막 설치", ("여름에 햇볕이 강한데 쉴 곳이 없어요", "벤치가 부족해서 서 있어야 해요"),
          ("더워서 쉴 그늘이 필요해요", "앉을 의자가 없어요")),
    Issue("화장실", "공중화장실 설치", ("화장실이 없어서 불편해요", "공중화장실이 너무 지저분해요"),
          ("급할 때 갈 화장실이 없어요", "개방화장실을 늘려 주세요")),
    Issue("배수", "배수 시설 개선", ("비만 오면 길이 물에 잠겨요", "하수구가 막혀서 침수돼요"),
          ("장마철마다 물웅덩이가 생겨요", "빗물받이가 막혔어요")),
    Issue("흡연", "금연구역 지정", ("담배 연기 때문에 아이들이 괴로워해요", "꽁초를 아무 데나 버려요"),
          ("간접흡연이 심해요", "흡연부스를 따로 만들어 주세요")),
    Issue("반려견", "반려견 놀이터 조성", ("반려견이 뛰어놀 곳이 없어요", "목줄 없는 개가 많아요"),
          ("강아지 산책할 공간이 필요해요", "반려동물 배변 봉투함이 없어요")),
    Issue("도서관", "작은도서관 운영시간 연장", ("도서관이 일찍 닫아서 이용하기 어려워요", "열람실 자리가 부족해요"),
          ("퇴근 후에 책을 빌릴 수가 없어요", "공부할 곳이 부족해요")),
    Issue("운동기구", "야외 운동기구 설치", ("운동할 시설이 부족해요", "운동기구가 고장 났어요"),
          ("체육 시설이 낡았어요", "주민 운동 공간이 필요해요")),
    Issue("도로", "도로 포장 보수", ("도로가 패여서 차가 덜컹거려요", "포트홀 때문에 사고가 날 뻔했어요"),
          ("길바닥이 울퉁불퉁해요", "차도가 파손돼서 위험해요")),
    Issue("과속방지턱", "과속방지턱 설치", ("차들이 너무 빨리 달려요", "스쿨존인데 과속 차량이 많아요"),
          ("어린이보호구역 속도 단속이 필요해요", "과속 단속 카메라를 달아 주세요")),
    Issue("와이파이", "공공 와이파이 확충", ("인터넷이 안 돼서 불편해요", "와이파이가 자주 끊겨요"),
          ("무선인터넷이 필요해요", "데이터가 안 터져요")),
    Issue("제설", "겨울철 제설 강화", ("눈이 오면 길이 빙판이 돼요", "언덕길이 미끄러워서 넘어졌어요"),
          ("염화칼슘 제설함이 필요해요", "빙판길이 위험해요")),
    Issue("악취", "하수구 악취 해결", ("하수구 냄새가 너무 심해요", "여름마다 악취가 나요"),
          ("냄새가 나서 창문을 못 열어요", "역겨운 냄새가 올라와요")),
    Issue("엘리베이터", "지하철역 엘리베이터 설치", ("휠체어로 역을 이용할 수 없어요", "계단이 많아 유모차로 다니기 힘들어요"),
          ("장애인이 지하철을 타기 어려워요", "승강기가 없어 불편해요")),
    Issue("축제", "동네 축제 개최", ("주민들이 함께할 행사가 없어요", "문화 공연이 부족해요"),
          ("마을 잔치를 열었으면 해요", "공연을 볼 기회가 없어요")),
    Issue("나무", "가로수 정비", ("가로수 가지가 간판을 가려요", "나무뿌리 때문에 보도블록이 들떴어요"),
          ("꽃길을 만들어 주세요", "화단이 관리가 안 돼요")),
    Issue("미세먼지", "미세먼지 저감 대책", ("공사장 먼지가 너무 심해요", "공기가 나빠서 창문을 못 열어요"),
          ("매연이 심해요", "공기질 측정기가 필요해요")),
    Issue("시장", "전통시장 주차장 조성", ("시장에 주차할 곳이 없어요", "전통시장 손님이 줄었어요"),
          ("상인들이 장사가 안 된대요", "상가 손님이 줄었어요")),
    Issue("통학로", "안전한 통학로 조성", ("등굣길에 차가 많아 아이들이 위험해요", "학교 앞 인도가 좁아요"),
          ("하굣길이 위험해요", "학생들이 차도로 걸어 다녀요")),
)
FILLERS = (
    "요즘 들어 더 심해졌어요", "주말에는 특히 심해요", "출퇴근 시간에 가장 불편해요",
    "여러 번 민원을 넣었는데 그대로예요", "이웃들도 같은 생각이에요", "빠른 조치 부탁드립니다",
    "아이를 키우는 입장에서 걱정돼요", "어르신들이 많이 다니는 곳이에요", "저녁마다 반복돼요",
    "몇 년째 해결이 안 되고 있어요",
)
STATUS_MIX = (
    (ProposalStatus.COLLECTING, 30),
    (ProposalStatus.UNDER_REVIEW, 5),
    (ProposalStatus.IN_DEBATE, 5),
    (ProposalStatus.AWAITING_ANSWER, 3),
    (ProposalStatus.ANSWERED, 4),
    (ProposalStatus.IN_PROGRESS, 3),
    (ProposalStatus.EXPIRED, 40),
    (ProposalStatus.WITHDRAWN, 5),
    (ProposalStatus.COMPLETED, 5),
)


@dataclass(frozen=True)
class Query:
    text: str
    keyword: str


@dataclass(frozen=True)
class Figures:
    backend: str
    size: int
    queries: int
    load_seconds: float
    term_rows: int
    ours_p50_ms: float
    ours_p95_ms: float
    ours_cpu_p50_ms: float
    ours_cpu_p95_ms: float
    like_p50_ms: float
    like_p95_ms: float
    like_cpu_p95_ms: float
    ratio_p50: float
    ratio_p95: float
    top1_on_topic: float


def proposal_rows(size: int, author_id: int) -> Iterator[dict[str, Any]]:
    """``size`` deterministic proposals, ids 1..size."""
    rng = random.Random(SEED)
    statuses = [status for status, _ in STATUS_MIX]
    weights = [weight for _, weight in STATUS_MIX]
    for proposal_id in range(1, size + 1):
        issue, area, place = rng.choice(ISSUES), rng.choice(AREAS), rng.choice(PLACES)
        fillers = rng.sample(FILLERS, 2)
        problem = f"{area} {place}에서 {rng.choice(issue.problems)}. {fillers[0]}. {fillers[1]}."
        at = START - timedelta(minutes=proposal_id)
        yield {
            "id": proposal_id,
            "author_id": author_id,
            "title": f"{area} {place} {issue.title}",
            "problem": problem,
            "solution": f"{issue.title}을 요청합니다.",
            "effect": "주민 생활이 나아집니다.",
            "area": area,
            "status": str(rng.choices(statuses, weights)[0]),
            "hidden": rng.random() < 0.01,
            "flagged": False,
            "endorsement_count": rng.randrange(60),
            "created_at": at,
            "published_at": at,
        }


def make_queries(count: int) -> list[Query]:
    rng = random.Random(SEED + 1)
    queries = []
    for _ in range(count):
        issue, place = rng.choice(ISSUES), rng.choice(PLACES)
        paraphrase = rng.choice(issue.paraphrases)
        queries.append(Query(f"{paraphrase}\n{place}에서 {paraphrase}.", issue.keyword))
    return queries


async def load(engine: AsyncEngine, size: int) -> tuple[float, int]:
    """Bulk-insert ``size`` proposals and their terms; returns (seconds, term rows)."""
    began = time.perf_counter()
    async with engine.begin() as connection:
        await connection.execute(
            insert(User),
            [{"id": 1, "telegram_id": 1, "language": "ko", "language_chosen": True,
              "role": "resident", "muted_all": False, "unreachable": False,
              "created_at": START, "last_seen_at": START}],
        )
    term_rows = 0
    batch: list[dict[str, Any]] = []
    for row in proposal_rows(size, author_id=1):
        batch.append(row)
        if len(batch) == BATCH:
            term_rows += await _insert_batch(engine, batch)
            batch = []
    if batch:
        term_rows += await _insert_batch(engine, batch)
    await _analyze(engine)
    return time.perf_counter() - began, term_rows


@functools.lru_cache(maxsize=50_000)
def _analysis(text: str) -> Analysis:
    return analyse(text)


async def _insert_batch(engine: AsyncEngine, rows: list[dict[str, Any]]) -> int:
    terms = [
        {"proposal_id": row["id"], "term": term, "weight": weight}
        for row in rows
        for term, weight in indexed_terms(
            _analysis(row["title"]), _analysis(row["problem"])
        ).items()
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(Proposal), rows)
        await connection.execute(insert(ProposalTerm), terms)
    return len(terms)


async def _analyze(engine: AsyncEngine) -> None:
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))
    else:
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))


async def like_scan(session: AsyncSession, keyword: str) -> list[Any]:
    """The naive search: the five newest visible live proposals containing the keyword."""
    pattern = f"%{keyword}%"
    statement = (
        select(Proposal.id, Proposal.title, Proposal.status, Proposal.endorsement_count)
        .where(or_(Proposal.title.like(pattern), Proposal.problem.like(pattern)))
        .where(Proposal.hidden.is_(false()))
        .where(Proposal.status.in_([str(status) for status in LIVE_STATUSES]))
        .order_by(Proposal.published_at.desc(), Proposal.id.desc())
        .limit(5)
    )
    return list((await session.execute(statement)).all())


@dataclass(frozen=True)
class Timing:
    wall_ms: float
    cpu_ms: float


async def timed(
    sessionmaker: async_sessionmaker[AsyncSession],
    call: Callable[[AsyncSession], Awaitable[Any]],
) -> tuple[Timing, Any]:
    began, began_cpu = time.perf_counter(), time.process_time()
    async with sessionmaker() as session:
        result = await call(session)
    elapsed = Timing(
        (time.perf_counter() - began) * 1000, (time.process_time() - began_cpu) * 1000
    )
    return elapsed, result


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


async def measure(
    backend: str, size: int, engine: AsyncEngine, queries: Sequence[Query], load_seconds: float,
    term_rows: int,
) -> Figures:
    sessionmaker = create_sessionmaker(engine)
    for query in queries[:WARMUP_QUERIES]:
        await timed(sessionmaker, lambda s, q=query: find_similar(s, q.text))
        await timed(sessionmaker, lambda s, q=query: like_scan(s, q.keyword))
    ours: list[Timing] = []
    naive: list[Timing] = []
    on_topic = 0
    titles = {issue.keyword: issue.title for issue in ISSUES}
    for query in queries:  # interleaved, so both see the same machine load
        elapsed, hits = await timed(sessionmaker, lambda s, q=query: find_similar(s, q.text))
        ours.append(elapsed)
        on_topic += bool(hits) and hits[0].title.endswith(titles[query.keyword])
        elapsed, _ = await timed(sessionmaker, lambda s, q=query: like_scan(s, q.keyword))
        naive.append(elapsed)
    ours_wall, like_wall = [t.wall_ms for t in ours], [t.wall_ms for t in naive]
    ours_cpu, like_cpu = [t.cpu_ms for t in ours], [t.cpu_ms for t in naive]
    ours_p50, ours_p95 = statistics.median(ours_wall), percentile(ours_wall, 0.95)
    like_p50, like_p95 = statistics.median(like_wall), percentile(like_wall, 0.95)
    return Figures(
        backend=backend, size=size, queries=len(queries), load_seconds=round(load_seconds, 1),
        term_rows=term_rows, ours_p50_ms=round(ours_p50, 2), ours_p95_ms=round(ours_p95, 2),
        ours_cpu_p50_ms=round(statistics.median(ours_cpu), 2),
        ours_cpu_p95_ms=round(percentile(ours_cpu, 0.95), 2),
        like_p50_ms=round(like_p50, 2), like_p95_ms=round(like_p95, 2),
        like_cpu_p95_ms=round(percentile(like_cpu, 0.95), 2),
        ratio_p50=round(ours_p50 / like_p50, 3), ratio_p95=round(ours_p95 / like_p95, 3),
        top1_on_topic=round(on_topic / len(queries), 3),
    )


@asynccontextmanager
async def sqlite_engine() -> AsyncIterator[AsyncEngine]:
    with tempfile.TemporaryDirectory(prefix="similar-search-") as directory:
        engine = create_engine(f"sqlite+aiosqlite:///{directory}/bench.sqlite3")
        try:
            await upgrade(engine)
            yield engine
        finally:
            await engine.dispose()


@asynccontextmanager
async def postgres_engine() -> AsyncIterator[AsyncEngine]:
    from tests.support.databases import create_postgres_database, drop_postgres_database

    url = await asyncio.to_thread(create_postgres_database)
    engine = create_engine(url)
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()
        await asyncio.to_thread(drop_postgres_database, url)


ENGINES = {"sqlite": sqlite_engine, "postgres": postgres_engine}


async def run_one(backend: str, size: int, queries: Sequence[Query]) -> Figures:
    async with ENGINES[backend]() as engine:
        load_seconds, term_rows = await load(engine, size)
        return await measure(backend, size, engine, queries, load_seconds, term_rows)


async def run(args: argparse.Namespace) -> list[Figures]:
    queries = make_queries(args.queries)
    results: list[Figures] = []
    for backend in args.backends:
        for size in args.sizes:
            log(f"{backend}: loading {size:,} proposals …")
            try:
                figures = await run_one(backend, size, queries)
            except BaseException as error:  # pytest.skip raises a BaseException
                if backend != "postgres" or isinstance(error, KeyboardInterrupt):
                    raise
                log(f"postgres: skipped ({type(error).__name__}: {error})")
                break
            log(describe(figures))
            results.append(figures)
    return results


def describe(figures: Figures) -> str:
    goal = ""
    if figures.size >= GOAL_SIZE:
        met = figures.ours_p95_ms < GOAL_P95_MS
        goal = f"  goal p95 < {GOAL_P95_MS:.0f} ms: {'met' if met else 'MISSED'}"
    return (
        f"{figures.backend:8} {figures.size:>7,}  load {figures.load_seconds:6.1f} s "
        f"({figures.term_rows:,} term rows)  find_similar p50 {figures.ours_p50_ms:6.2f} ms "
        f"p95 {figures.ours_p95_ms:6.2f} ms (CPU p50 {figures.ours_cpu_p50_ms:.2f} "
        f"p95 {figures.ours_cpu_p95_ms:.2f} ms)  LIKE p50 {figures.like_p50_ms:6.2f} ms "
        f"p95 {figures.like_p95_ms:6.2f} ms (CPU p95 {figures.like_cpu_p95_ms:.2f} ms)  "
        f"ratio p50 {figures.ratio_p50:.2f} "
        f"p95 {figures.ratio_p95:.2f}  on-topic top hit {figures.top1_on_topic:.0%}{goal}"
    )


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=_ints, default=list(DEFAULT_SIZES))
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES)
    parser.add_argument("--backends", type=_backends, default=list(ENGINES))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser.parse_args(argv)


def _ints(value: str) -> list[int]:
    return [int(part.replace("_", "")) for part in value.split(",") if part.strip()]


def _backends(value: str) -> list[str]:
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = set(names) - set(ENGINES)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown backend(s): {', '.join(sorted(unknown))}")
    return names


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results = asyncio.run(run(args))
    if args.json:
        print(json.dumps([asdict(figures) for figures in results], indent=2))
    else:
        for figures in results:
            print(describe(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
