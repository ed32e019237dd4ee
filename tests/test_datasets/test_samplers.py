"""DataTypeGroupSampler: every step's batches of all ranks of one kind."""
import pytest
from mmengine.config import Config

from unipixel_mm.datasets import DataTypeGroupSampler, sample_data_type
from unipixel_mm.datasets.samplers import sample_medium
from unipixel_mm.engine.runner import check_group_sampler
from unipixel_mm.registry import DATASETS


class Kinds:
    """A data set of given sample kinds."""

    def __init__(self, kinds):
        self.kinds = kinds

    def __len__(self):
        return len(self.kinds)

    def data_type(self, idx):
        return self.kinds[idx].split('/')[0]

    def medium(self, idx):
        return self.kinds[idx].split('/')[1]


KINDS = ['seg'] * 5 + ['text'] * 3 + ['region'] * 4


def _ranks(monkeypatch, dataset, world_size, batch_size, **kwargs):
    """The index order of every rank of a simulated distributed run."""
    import unipixel_mm.datasets.samplers as module
    orders = []
    for rank in range(world_size):
        monkeypatch.setattr(module, 'get_dist_info',
                            lambda r=rank: (r, world_size))
        sampler = DataTypeGroupSampler(
            dataset, batch_size=batch_size, seed=3, **kwargs)
        orders.append(list(sampler))
        assert len(sampler) == len(orders[-1])
    return orders, sampler


def test_ranks_draw_one_kind_per_step(monkeypatch):
    dataset = Kinds(KINDS)
    (rank0, rank1), sampler = _ranks(monkeypatch, dataset, 2, 2)
    # chunks of 2 x 2: one of the 5 'seg' (one left over), none of the 3
    # 'text', one of the 4 'region'
    assert sampler.data_types == ['seg', 'text', 'region']
    assert len(rank0) == len(rank1) == 4
    for step in range(2):
        batch = rank0[2 * step:2 * step + 2] + rank1[2 * step:2 * step + 2]
        assert len({KINDS[i] for i in batch}) == 1
    drawn = rank0 + rank1
    assert len(set(drawn)) == 8
    assert sorted(KINDS[i] for i in drawn) == ['region'] * 4 + ['seg'] * 4
    # the order depends on the seed and the epoch only
    assert _ranks(monkeypatch, dataset, 2, 2)[0][0] == rank0
    sampler.set_epoch(1)  # another shuffle (fixed by seed 3 and epoch 1)
    assert list(sampler) != rank1


def test_by_medium_keeps_images_and_videos_apart(monkeypatch):
    kinds = ['seg/image', 'seg/video'] * 4 + ['text/text'] * 4
    dataset = Kinds(kinds)
    (rank0, rank1), sampler = _ranks(
        monkeypatch, dataset, 2, 1, by_medium=True)
    assert sampler.data_types == ['seg/image', 'seg/video', 'text/text']
    assert len(rank0) == 6
    for a, b in zip(rank0, rank1):
        assert kinds[a] == kinds[b]
    # by data type only, images and videos share steps
    (rank0, rank1), _ = _ranks(monkeypatch, dataset, 2, 1)
    assert any(kinds[a] != kinds[b] for a, b in zip(rank0, rank1))


def test_one_process_keeps_every_full_batch(monkeypatch):
    (order, ), sampler = _ranks(monkeypatch, Kinds(KINDS), 1, 3)
    # 5 'seg' -> 1 batch of 3, 3 'text' -> 1, 4 'region' -> 1
    assert len(order) == 9
    batches = [order[i:i + 3] for i in range(0, 9, 3)]
    assert sorted(KINDS[b[0]] for b in batches) == ['region', 'seg', 'text']
    assert all(len({KINDS[i] for i in b}) == 1 for b in batches)
    (unshuffled, ), _ = _ranks(
        monkeypatch, Kinds(KINDS), 1, 3, shuffle=False)
    assert unshuffled == [0, 1, 2, 5, 6, 7, 8, 9, 10]


def test_errors(monkeypatch):
    with pytest.raises(ValueError, match=r'No data type has 8 samples'):
        _ranks(monkeypatch, Kinds(KINDS), 2, 4)
    with pytest.raises(TypeError, match='has no data_type'):
        DataTypeGroupSampler(list(range(4)), batch_size=1)
    cfg = Config(
        dict(
            train_dataloader=dict(
                batch_size=2,
                sampler=dict(type='DataTypeGroupSampler', batch_size=1))))
    with pytest.raises(ValueError, match=r"train_dataloader: DataTypeGroup"
                       r"Sampler\(batch_size=1\) must equal the dataloader's "
                       r'batch_size=2'):
        check_group_sampler(cfg)


def test_kinds_of_the_data_sets(tmp_path, config_dataset_factory,
                                pipeline_factory, video_writer):
    from test_multimodal import write_llava
    root = write_llava(tmp_path, video_writer)
    llava = config_dataset_factory(
        'llava_instruct_665k_videogpt_plus_576k', data_root=str(root),
        pipeline=pipeline_factory())
    # image, video and text-only conversations
    assert [llava.data_type(i) for i in range(3)] == ['chat', 'chat', 'text']
    mixed = DATASETS.build(
        dict(
            type='MixedPixelDataset',
            datasets=[
                llava,
                dict(
                    type='RepeatDataset',
                    times=2,
                    dataset=dict(
                        type='SyntheticShapesDataset',
                        num_samples=2,
                        tasks=('seg', 'region'),
                        pipeline=pipeline_factory())),
            ]))
    assert [sample_data_type(mixed, i) for i in range(len(mixed))] == [
        'chat', 'chat', 'text', 'seg', 'region', 'seg', 'region'
    ]
    sampler = DataTypeGroupSampler(mixed, batch_size=2, seed=0)
    assert all(
        len({mixed.data_type(i) for i in batch}) == 1
        for batch in zip(*[iter(list(sampler))] * 2))
    # one-frame clips are images, the llava samples are told apart by their
    # files
    media = [sample_medium(mixed, i) for i in range(len(mixed))]
    assert media[:3] == ['image', 'video', 'text']
    shapes = mixed.datasets[1].dataset
    assert media[3:5] == [shapes.medium(0), shapes.medium(1)] == media[5:]
    assert media[3:5] == [
        'image' if len(shapes[i]['data_samples'].frame_inds) == 1 else 'video'
        for i in range(2)
    ]
    sampler = DataTypeGroupSampler(mixed, batch_size=1, seed=0,
                                   by_medium=True)
    assert sorted(sampler.data_types) == sorted(
        {f'{sample_data_type(mixed, i)}/{m}' for i, m in enumerate(media)})
