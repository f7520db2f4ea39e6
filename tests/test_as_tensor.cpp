// Tests of as_tensor: xtensor memory seen by torch without a copy, and who owns it.
#include "test_common.hpp"

using namespace xtorch_test;

TEST_CASE("as_tensor: arange(1., 10.) keeps float64 and shares memory", "[as_tensor]")
{
    xt::xarray<double> a = xt::arange(1., 10.);
    at::Tensor t = xtorch::as_tensor(a);
    REQUIRE(t.scalar_type() == at::kDouble);
    REQUIRE(t.sizes() == at::IntArrayRef{9});
    REQUIRE(t.data_ptr() == a.data());
    REQUIRE(t.equal(at::arange(1., 10., at::kDouble)));
}

TEST_CASE("as_tensor: an in-place change on either side is seen on the other", "[as_tensor]")
{
    xt::xarray<double> a = xt::arange(1., 10.);
    at::Tensor t = xtorch::as_tensor(a);

    t.mul_(2);
    REQUIRE(a(0) == 2.0);
    REQUIRE(a(8) == 18.0);

    a(1) = 100.0;
    REQUIRE(t[1].item<double>() == 100.0);

    const double* before = a.data();
    a += 1;  // computed assignment: same buffer
    xt::noalias(a) = a * 2;
    REQUIRE(a.data() == before);
    REQUIRE(t[0].item<double>() == (2.0 + 1.0) * 2.0);
}

TEST_CASE("as_tensor: out-of-place results are not shared", "[as_tensor]")
{
    xt::xarray<double> a = xt::arange(1., 10.);
    at::Tensor t = xtorch::as_tensor(a);

    at::Tensor u = t + 1;
    REQUIRE(u.data_ptr() != a.data());
    u.fill_(0);
    REQUIRE(a(0) == 1.0);

    xt::xarray<double> b = a + 1;
    b(0) = -1;
    REQUIRE(t[0].item<double>() == 1.0);
}

TEST_CASE("as_tensor: a = a + 1 swaps in a new buffer, noalias keeps it", "[as_tensor][lifetime]")
{
    // The documented trap: xtensor evaluates a + 1 into a temporary and swaps storage, so a
    // tensor borrowed from a no longer sees a. (It must not be read after that: it dangles.)
    xt::xarray<double> a = xt::arange(1., 10.);
    at::Tensor t = xtorch::as_tensor(a);
    void* borrowed = t.data_ptr();
    a = a + 1;
    REQUIRE(static_cast<void*>(a.data()) != borrowed);

    xt::xarray<double> b = xt::arange(1., 10.);
    at::Tensor u = xtorch::as_tensor(b);
    xt::noalias(b) = b + 1;
    REQUIRE(u.data_ptr() == b.data());
    REQUIRE(u[0].item<double>() == 2.0);
}

TEST_CASE("as_tensor: value types map to dtypes, integer arrays to int64", "[as_tensor][dtype]")
{
    xt::xarray<std::int64_t> i64 = {1, 2, 3};
    REQUIRE(xtorch::as_tensor(i64).scalar_type() == at::kLong);
    xt::xarray<int> i32 = {1, 2, 3};
    REQUIRE(xtorch::as_tensor(i32).scalar_type() == at::kInt);

    for_each_type(all_types{},
                  [](auto tag)
                  {
                      using T = typename decltype(tag)::type;
                      xt::xarray<T> a = xt::xarray<T>::from_shape({2, 3});
                      for (std::size_t i = 0; i < a.size(); ++i)
                      {
                          a.flat(i) = sample<T>(static_cast<int>(i));
                      }
                      at::Tensor t = xtorch::as_tensor(a);
                      INFO("type " << xtorch::type_name<T>());
                      REQUIRE(t.scalar_type() == xtorch::scalar_type_of<T>());
                      REQUIRE(t.data_ptr() == static_cast<void*>(a.data()));
                      REQUIRE(same_elements(a, t));
                  });
}

TEST_CASE("as_tensor: a moved-in container outlives its scope and is freed once", "[as_tensor][lifetime]")
{
    frees() = 0;
    at::Tensor t;
    const void* original = nullptr;
    {
        counted_xarray a = counted_xarray::from_shape({3, 4});
        std::iota(a.begin(), a.end(), 0.0);
        original = a.data();
        t = xtorch::as_tensor(std::move(a));
    }
    REQUIRE(t.data_ptr() == original);  // moved, not copied
    REQUIRE(frees() == 0);
    REQUIRE(read_raw<double>(t, 11) == 11.0);
    at::Tensor alias = t.view({12});
    t.reset();
    REQUIRE(frees() == 0);  // the view keeps the storage
    REQUIRE(read_raw<double>(alias, 11) == 11.0);
    alias.reset();
    REQUIRE(frees() == 1);
}

TEST_CASE("as_tensor: a temporary container moves in", "[as_tensor][lifetime]")
{
    at::Tensor t = xtorch::as_tensor(xt::xarray<int>{{1, 2}, {3, 4}});
    REQUIRE(t.scalar_type() == at::kInt);
    REQUIRE(t.sizes() == at::IntArrayRef{2, 2});
    REQUIRE(t[1][0].item<int>() == 3);

    at::Tensor s = xtorch::as_tensor(xt::xtensor<float, 1>{1.f, 2.f});
    REQUIRE(s.sum().item<float>() == 3.f);
}

TEST_CASE("as_tensor: strided sources keep their strides and offset", "[as_tensor][strides]")
{
    xt::xarray<double> a = xt::reshape_view(xt::arange(24.), {4, 6});
    at::Tensor base = xtorch::as_tensor(a);

    SECTION("transposed")
    {
        auto tr = xt::transpose(a);
        at::Tensor t = xtorch::as_tensor(tr);
        REQUIRE(t.strides() == at::IntArrayRef{1, 6});
        REQUIRE(t.data_ptr() == a.data());
        REQUIRE(t.equal(base.t()));
    }
    SECTION("sliced with an offset and a step")
    {
        auto v = xt::view(a, xt::range(1, 4, 2), xt::range(1, 6, 2));
        at::Tensor t = xtorch::as_tensor(v);
        REQUIRE(t.sizes() == at::IntArrayRef{2, 3});
        REQUIRE(t.strides() == at::IntArrayRef{12, 2});
        REQUIRE(t.storage_offset() == 7);
        REQUIRE(t.storage().data() == static_cast<void*>(a.data()));
        REQUIRE(t.equal(base.slice(0, 1, 4, 2).slice(1, 1, 6, 2)));
        t.fill_(-1);
        REQUIRE(a(1, 1) == -1);
        REQUIRE(a(1, 2) == 8);
    }
    SECTION("a column")
    {
        auto col = xt::view(a, xt::all(), 2);
        at::Tensor t = xtorch::as_tensor(col);
        REQUIRE(t.strides() == at::IntArrayRef{6});
        REQUIRE(t.storage_offset() == 2);
        REQUIRE(t.equal(base.select(1, 2)));
    }
    SECTION("a rvalue view borrows from the container it refers to")
    {
        at::Tensor t = xtorch::as_tensor(xt::view(a, 1));
        REQUIRE(t.equal(base.select(0, 1)));
        t.zero_();
        REQUIRE(a(1, 0) == 0);
    }
    SECTION("strided_view")
    {
        auto sv = xt::strided_view(a, {xt::range(0, 4, 3), xt::all()});
        at::Tensor t = xtorch::as_tensor(sv);
        REQUIRE(t.equal(base.slice(0, 0, 4, 3)));
    }
    SECTION("column-major container")
    {
        xt::xarray<double, xt::layout_type::column_major> c = a;
        at::Tensor t = xtorch::as_tensor(c);
        REQUIRE(t.strides() == at::IntArrayRef{1, 4});
        REQUIRE(t.equal(base));
        REQUIRE(t.data_ptr() == c.data());
    }
    SECTION("stride 0: a strided view that repeats a row")
    {
        xt::xarray<double> row = {1, 2, 3};
        auto rep = xt::strided_view(row, std::vector<std::size_t>{4, 3}, std::vector<std::ptrdiff_t>{0, 1}, 0,
                                    xt::layout_type::dynamic);
        at::Tensor t = xtorch::as_tensor(rep);
        REQUIRE(t.strides() == at::IntArrayRef{0, 1});
        REQUIRE(t.data_ptr() == row.data());
        REQUIRE(t.equal(at::tensor({1., 2., 3.}, at::kDouble).expand({4, 3})));
    }
    SECTION("size-1 dimensions get the strides torch gives them")
    {
        xt::xarray<double> s = xt::zeros<double>({3, 1, 4});
        at::Tensor t = xtorch::as_tensor(s);
        REQUIRE(t.strides() == at::IntArrayRef{4, 4, 1});
        REQUIRE(t.is_contiguous());
    }
    SECTION("a std::vector through xt::adapt")
    {
        std::vector<float> v = {1, 2, 3, 4, 5, 6};
        auto ad = xt::adapt(v, std::vector<std::size_t>{2, 3});
        at::Tensor t = xtorch::as_tensor(ad);
        REQUIRE(t.data_ptr() == v.data());
        REQUIRE(t[1][2].item<float>() == 6.f);
    }
}

TEST_CASE("as_tensor: 0-d and empty containers", "[as_tensor]")
{
    xt::xarray<double> s = 3.5;
    at::Tensor t = xtorch::as_tensor(s);
    REQUIRE(t.dim() == 0);
    REQUIRE(t.item<double>() == 3.5);

    xt::xarray<float> e = xt::xarray<float>::from_shape({0, 3});
    at::Tensor u = xtorch::as_tensor(e);
    REQUIRE(u.sizes() == at::IntArrayRef{0, 3});
    REQUIRE(u.numel() == 0);
}

TEST_CASE("as_tensor: a reversed view is refused with the call that copies", "[as_tensor][refusal]")
{
    xt::xarray<double> a = xt::arange(5.);
    auto rev = xt::view(a, xt::range(xt::placeholders::_, xt::placeholders::_, -1));
    const std::string msg = refusal([&] { xtorch::as_tensor(rev); });
    REQUIRE_THAT(msg, text::Contains("xtorch::as_tensor"));
    REQUIRE_THAT(msg, text::Contains("negative strides are not currently supported"));
    REQUIRE_THAT(msg, text::Contains("found strides [-1]"));
    REQUIRE_THAT(msg, text::Contains("xtorch::to_tensor(e)"));
    // and to_tensor does copy it
    REQUIRE(xtorch::to_tensor(rev).equal(at::tensor({4., 3., 2., 1., 0.}, at::kDouble)));
}

TEST_CASE("as_tensor: torch cannot resize borrowed memory", "[as_tensor][lifetime]")
{
    xt::xarray<float> a = xt::zeros<float>({4});
    at::Tensor t = xtorch::as_tensor(a);
    REQUIRE_THROWS(t.resize_({1000}));
    REQUIRE(t.data_ptr() == a.data());
}

TEST_CASE("as_tensor: a view of a tensor shares the tensor's storage", "[as_tensor][roundtrip]")
{
    at::Tensor t = at::arange(24, at::kFloat).reshape({2, 3, 4});
    for (const at::Tensor& src : {t, t.permute({2, 0, 1}), t.slice(2, 1, 4, 2), t.select(1, 1), t[0][0][0]})
    {
        auto v = xtorch::as_xarray<float>(src);
        at::Tensor back = xtorch::as_tensor(v);
        INFO("sizes " << src.sizes() << " strides " << src.strides());
        REQUIRE(back.is_alias_of(src));
        REQUIRE(back.data_ptr() == src.data_ptr());
        REQUIRE(back.sizes() == src.sizes());
        REQUIRE(back.storage_offset() == src.storage_offset());
        for (std::int64_t d = 0; d < src.dim(); ++d)
        {
            if (src.size(d) > 1)  // torch's own DLPack export rewrites size-1 strides too
            {
                REQUIRE(back.stride(d) == src.stride(d));
            }
        }
        REQUIRE(back.equal(src));
    }
}

TEST_CASE("as_tensor: an xt::view of a tensor view keeps the storage alive", "[as_tensor][lifetime]")
{
    frees() = 0;
    at::Tensor out;
    {
        at::Tensor t = counted_tensor(12);
        auto v = xtorch::as_xarray<float>(t.view({3, 4}));
        auto col = xt::view(v, xt::all(), 1);
        out = xtorch::as_tensor(col);
    }
    REQUIRE(frees() == 0);
    REQUIRE(out.equal(at::tensor({1.f, 5.f, 9.f})));
    REQUIRE(read_raw<float>(out, 0) == 1.f);
    out.reset();
    REQUIRE(frees() == 1);
}
